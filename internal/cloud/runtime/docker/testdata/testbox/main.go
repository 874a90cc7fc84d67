// Command testbox is the only program in the flexpg/testbox test image. Without arguments it sleeps until
// SIGTERM or SIGINT and exits 0, so stop signals can be tested. With arguments it runs a chain of steps
// separated by "+":
//
//	echo WORD...   print the words to stdout
//	err WORD...    print the words to stderr
//	cat FILE...    print the files to stdout
//	stdin          copy stdin to stdout
//	stat PATH...   print "<octal permissions> <uid> <gid>" per path
//	exit CODE      exit with CODE
//	listen PORT    serve TCP on PORT in the background, answering "ok\n" to every connection
//	sleep          wait for SIGTERM or SIGINT
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	// Handle the signals from the start: as PID 1 an unhandled SIGTERM would be ignored.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	args := os.Args[1:]
	if len(args) == 0 {
		args = []string{"sleep"}
	}
	for _, step := range split(args) {
		run(step, signals)
	}
}

// split cuts the arguments into steps at every "+".
func split(args []string) [][]string {
	var steps [][]string
	cur := []string{}
	for _, a := range args {
		if a == "+" {
			steps = append(steps, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	return append(steps, cur)
}

func run(step []string, signals <-chan os.Signal) {
	if len(step) == 0 {
		return
	}
	switch step[0] {
	case "echo":
		fmt.Println(strings.Join(step[1:], " "))
	case "err":
		fmt.Fprintln(os.Stderr, strings.Join(step[1:], " "))
	case "cat":
		for _, name := range step[1:] {
			data, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			os.Stdout.Write(data)
		}
	case "stdin":
		if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	case "exit":
		code := 2
		if len(step) > 1 {
			if n, err := strconv.Atoi(step[1]); err == nil {
				code = n
			}
		}
		os.Exit(code)
	case "stat":
		for _, name := range step[1:] {
			statFile(name)
		}
	case "listen":
		listen(step[1:])
	case "sleep":
		<-signals
	default:
		fmt.Fprintln(os.Stderr, "testbox: unknown step", step[0])
		os.Exit(2)
	}
}

func statFile(name string) {
	fi, err := os.Stat(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		os.Exit(2)
	}
	fmt.Printf("%o %d %d\n", fi.Mode().Perm(), st.Uid, st.Gid)
}

// listen starts a TCP server on the port in args that writes "ok\n" and closes each connection, so a test
// can tell from outside whether the container is reachable.
func listen(args []string) {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "testbox: listen needs a port")
		os.Exit(2)
	}
	l, err := net.Listen("tcp", ":"+args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("ok\n"))
			_ = conn.Close()
		}
	}()
}
