package gateway

import (
	"io"
	"net"
	"time"
)

// splice copies client→backend and backend→client until both directions end. When one direction ends its
// EOF is passed on with a half-close, so the peer can finish (PostgreSQL sends its last message and closes);
// the other direction then gets at most drain to end before both connections are closed.
func splice(client, backend net.Conn, drain time.Duration) {
	done := make(chan struct{}, 2)
	pump := func(dst, src net.Conn) {
		// On Linux, TCP to TCP io.Copy uses splice(2): the bytes are not touched in user space.
		_, _ = io.Copy(dst, src)
		closeWrite(dst)
		done <- struct{}{}
	}
	go pump(backend, client)
	go pump(client, backend)
	<-done
	deadline := time.Now().Add(drain)
	_ = client.SetDeadline(deadline)
	_ = backend.SetDeadline(deadline)
	<-done
	client.Close()
	backend.Close()
}

// closeWrite half-closes c when it supports that, otherwise closes it.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			return
		}
	}
	c.Close()
}
