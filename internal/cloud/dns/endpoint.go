package dns

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

const (
	udpBufferSize = 65535
	tcpIdle       = 10 * time.Second // RFC 7766 asks servers to time idle connections out
	tcpWrite      = 10 * time.Second
	maxTCPConns   = 64 // per address; a flood of idle connections must not exhaust the daemon
)

// endpoint is one address being served over UDP and TCP.
type endpoint struct {
	srv *Server
	udp *net.UDPConn
	tcp *net.TCPListener
	wg  sync.WaitGroup

	mu      sync.Mutex
	stopped bool
	conns   map[net.Conn]struct{}
}

func openEndpoint(s *Server, addr netip.AddrPort) (*endpoint, error) {
	udp, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	tcp, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
	if err != nil {
		udp.Close()
		return nil, err
	}
	return &endpoint{srv: s, udp: udp, tcp: tcp, conns: map[net.Conn]struct{}{}}, nil
}

func (e *endpoint) start() {
	e.wg.Add(2)
	go e.serveUDP()
	go e.serveTCP()
}

// stop closes the sockets and every open TCP connection, then waits for the
// serving goroutines to return.
func (e *endpoint) stop() error {
	e.mu.Lock()
	e.stopped = true
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	err := errors.Join(e.udp.Close(), e.tcp.Close())
	e.wg.Wait()
	return err
}

// serveUDP answers datagrams one by one; answering is a map lookup, so a
// goroutine per packet would buy nothing.
func (e *endpoint) serveUDP() {
	defer e.wg.Done()
	buf := make([]byte, udpBufferSize)
	for {
		n, from, err := e.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if isClosed(err) {
				return
			}
			e.srv.log.Warn("dns udp read", "err", err)
			continue
		}
		resp := e.srv.handle(buf[:n], from.Addr().Unmap(), overUDP)
		if resp == nil {
			continue
		}
		if _, err := e.udp.WriteToUDPAddrPort(resp, from); err != nil && !isClosed(err) {
			e.srv.log.Debug("dns udp write", "client", from.String(), "err", err)
		}
	}
}

func (e *endpoint) serveTCP() {
	defer e.wg.Done()
	for {
		c, err := e.tcp.Accept()
		if err != nil {
			if isClosed(err) {
				return
			}
			e.srv.log.Warn("dns tcp accept", "err", err)
			continue
		}
		if !e.track(c) {
			c.Close()
			continue
		}
		e.wg.Add(1)
		go e.serveConn(c)
	}
}

// track registers a connection so stop can close it; it refuses when the
// endpoint is stopping or already holds maxTCPConns.
func (e *endpoint) track(c net.Conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped || len(e.conns) >= maxTCPConns {
		return false
	}
	e.conns[c] = struct{}{}
	return true
}

func (e *endpoint) untrack(c net.Conn) {
	e.mu.Lock()
	delete(e.conns, c)
	e.mu.Unlock()
	c.Close()
}

// serveConn answers length-prefixed messages until the client goes quiet,
// hangs up, or sends something that is not a query.
func (e *endpoint) serveConn(c net.Conn) {
	defer e.wg.Done()
	defer e.untrack(c)
	client := netip.Addr{}
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		client = ta.AddrPort().Addr().Unmap()
	}
	for {
		msg, err := readFramed(c)
		if err != nil {
			return
		}
		resp := e.srv.handle(msg, client, overTCP)
		if resp == nil {
			return
		}
		if err := writeFramed(c, resp); err != nil {
			return
		}
	}
}

// readFramed reads one DNS message with its 2-byte length prefix (RFC 1035 4.2.2).
func readFramed(c net.Conn) ([]byte, error) {
	if err := c.SetReadDeadline(time.Now().Add(tcpIdle)); err != nil {
		return nil, err
	}
	var size [2]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		return nil, err
	}
	msg := make([]byte, binary.BigEndian.Uint16(size[:]))
	if _, err := io.ReadFull(c, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

func writeFramed(c net.Conn, msg []byte) error {
	if err := c.SetWriteDeadline(time.Now().Add(tcpWrite)); err != nil {
		return err
	}
	out := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(msg)), uint16(len(msg)))
	_, err := c.Write(append(out, msg...))
	return err
}
