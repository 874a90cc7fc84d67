// Command nettool is the only program in the flexpg/nettool test image used by the netguard tests:
//
//	nettool                       wait for SIGTERM or SIGINT
//	nettool serve PORT            accept TCP connections; answer each with "peer=<client address>"
//	nettool dial ADDR TIMEOUT     connect, print the server's first line; exit 1 on failure
//	nettool udp ADDR TIMEOUT      send "ping" by UDP, print the reply; exit 1 on failure
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	// As PID 1 an unhandled SIGTERM would be ignored, so handle it from the start.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	args := os.Args[1:]
	switch {
	case len(args) == 0:
		<-signals
	case args[0] == "serve" && len(args) == 2:
		serve(args[1])
	case args[0] == "dial" && len(args) == 3:
		dial(args[1], duration(args[2]))
	case args[0] == "udp" && len(args) == 3:
		udp(args[1], duration(args[2]))
	default:
		fail(fmt.Errorf("usage: nettool [serve PORT | dial ADDR TIMEOUT | udp ADDR TIMEOUT]"))
	}
}

func serve(port string) {
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		fail(err)
	}
	fmt.Println("listening", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(conn, "peer=%s\n", conn.RemoteAddr())
		conn.Close()
	}
}

func dial(addr string, timeout time.Duration) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fail(err)
	}
	fmt.Print(line)
}

func udp(addr string, timeout time.Duration) {
	conn, err := net.DialTimeout("udp", addr, timeout)
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write([]byte("ping")); err != nil {
		fail(err)
	}
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(buf[:n]))
}

func duration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		fail(err)
	}
	return d
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "nettool:", err)
	os.Exit(1)
}
