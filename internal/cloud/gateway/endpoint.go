package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// endpoint is one open host endpoint: a listener, the current settings and the sessions it carries.
type endpoint struct {
	name        string
	dialControl func(network, address string, c syscall.RawConn) error
	logger      *slog.Logger
	timeouts    timeouts
	ctx         context.Context // cancelled by shutdown; bounds dials and handshakes
	cancel      context.CancelFunc
	cur         atomic.Pointer[settings]
	stats       counters
	wg          sync.WaitGroup // accept loops and sessions

	mu     sync.Mutex
	ln     net.Listener
	addr   netip.AddrPort
	closed bool
	conns  map[net.Conn]struct{} // client and backend connections, closed by shutdown
	// dials are the backend dials in progress, by the backend they dial, cancelled when it is replaced.
	dials map[*context.CancelFunc]string
}

func newEndpoint(name string, logger *slog.Logger, t timeouts, cfg *settings) *endpoint {
	ctx, cancel := context.WithCancel(context.Background())
	e := &endpoint{
		name:     name,
		logger:   logger.With(slog.String("endpoint", name)),
		timeouts: t,
		ctx:      ctx,
		cancel:   cancel,
		conns:    make(map[net.Conn]struct{}),
		dials:    make(map[*context.CancelFunc]string),
	}
	e.cur.Store(cfg)
	return e
}

// publish makes cfg the settings of every connection accepted from now on.
func (e *endpoint) publish(cfg *settings) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cur.Store(cfg)
}

// update derives new settings from the current ones under the lock, so concurrent SetBackend and
// SetPolicy calls cannot undo each other.
func (e *endpoint) update(change func(*settings) (*settings, error)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	next, err := change(e.cur.Load())
	if err != nil {
		return err
	}
	e.cur.Store(next)
	return nil
}

func (e *endpoint) address() netip.AddrPort {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addr
}

// serve starts accepting on ln; a listener the endpoint had before is closed after the new one is live.
func (e *endpoint) serve(ln net.Listener, addr netip.AddrPort) {
	e.mu.Lock()
	old := e.ln
	e.ln, e.addr = ln, addr
	e.wg.Add(1)
	e.mu.Unlock()
	go e.acceptLoop(ln)
	if old != nil {
		old.Close()
	}
}

func (e *endpoint) acceptLoop(ln net.Listener) {
	defer e.wg.Done()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Typically EMFILE: back off instead of spinning until descriptors are free again.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			e.logger.Warn("accept failed", slog.Any("err", err), slog.Duration("retry_in", backoff))
			select {
			case <-e.ctx.Done():
				return
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		if !e.track(c) {
			c.Close()
			continue
		}
		e.stats.accepted.Add(1)
		// The accept loop still holds its own count, so this Add cannot race with shutdown's Wait.
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			newSession(e, c).run()
		}()
	}
}

// track registers a connection so shutdown can close it; false means the endpoint is already closed.
func (e *endpoint) track(c net.Conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.conns[c] = struct{}{}
	return true
}

// release closes a tracked connection and forgets it.
func (e *endpoint) release(c net.Conn) {
	e.mu.Lock()
	delete(e.conns, c)
	e.mu.Unlock()
	c.Close()
}

// closeBackend closes every connection to backend: the sessions spliced to it end, and so do their clients'
// connections.
// Dials to it in progress are cancelled too: a dead backend's address may take seconds to fail.
func (e *endpoint) closeBackend(backend string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.conns {
		if c.RemoteAddr() != nil && c.RemoteAddr().String() == backend {
			c.Close()
		}
	}
	for cancel, b := range e.dials {
		if b == backend {
			(*cancel)()
		}
	}
}

// dialing registers a dial to backend and returns its context and a function that ends the registration.
func (e *endpoint) dialing(backend string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(e.ctx)
	e.mu.Lock()
	e.dials[&cancel] = backend
	e.mu.Unlock()
	return ctx, func() {
		e.mu.Lock()
		delete(e.dials, &cancel)
		e.mu.Unlock()
		cancel()
	}
}

// shutdown closes the listener and every session, then waits for all goroutines of the endpoint.
func (e *endpoint) shutdown() {
	e.mu.Lock()
	e.closed = true
	if e.ln != nil {
		e.ln.Close()
	}
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// Stats are the counters of one endpoint since it was opened.
type Stats struct {
	Accepted    uint64 // connections accepted
	Forwarded   uint64 // connections spliced to the backend
	Refused     uint64 // answered with 28000 (firewall or require_secure_transport)
	Unavailable uint64 // answered with 57P03 (no backend or dial failed)
	Dropped     uint64 // closed without an answer: malformed, silent, failed TLS, refused CancelRequest
	Active      int64  // sessions open now
}

type counters struct {
	accepted, forwarded, refused, unavailable, dropped atomic.Uint64
	active                                             atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Accepted:    c.accepted.Load(),
		Forwarded:   c.forwarded.Load(),
		Refused:     c.refused.Load(),
		Unavailable: c.unavailable.Load(),
		Dropped:     c.dropped.Load(),
		Active:      c.active.Load(),
	}
}
