package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// ErrUnknownEndpoint is returned (wrapped) for a name no open endpoint has.
var ErrUnknownEndpoint = errors.New("gateway: unknown endpoint")

// Endpoint describes one host endpoint.
type Endpoint struct {
	Name    string
	Listen  string // "127.0.0.1:0" for any free port, or a fixed host:port; "" means "127.0.0.1:0"
	Backend string // host:port of the current target; "" = target is down
	Policy  Policy
}

// timeouts bound every wait of a session.
type timeouts struct {
	startup time.Duration // first message, TLS handshake and answer of a connection the gateway handles itself
	dial    time.Duration // connecting to the backend
	drain   time.Duration // after one direction of a forwarded session ends, how long the other may go on
}

var defaultTimeouts = timeouts{startup: 10 * time.Second, dial: 5 * time.Second, drain: 10 * time.Second}

// Gateway owns the host endpoints. Its methods are safe for concurrent use.
type Gateway struct {
	logger   *slog.Logger
	timeouts timeouts // read at Open; tests shorten it
	// dialControl, when set, runs on every backend socket before it connects (the cloud marks its sockets so
	// the machine's isolation rules let the gateway, and nothing else on the machine, reach the servers).
	dialControl func(network, address string, c syscall.RawConn) error

	mu        sync.Mutex
	endpoints map[string]*endpoint
}

// New returns a gateway with no endpoints. A nil logger discards logs.
func New(logger *slog.Logger) *Gateway {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Gateway{
		logger:    logger.With(slog.String("component", "gateway")),
		timeouts:  defaultTimeouts,
		endpoints: make(map[string]*endpoint),
	}
}

// SetDialControl sets the function run on every backend socket before it connects; call it before Open.
func (g *Gateway) SetDialControl(control func(network, address string, c syscall.RawConn) error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dialControl = control
}

// Open starts listening for ep and returns the bound address. Opening a name that is already open updates
// its backend and policy instead; its address stays unless ep.Listen names a different fixed port or host,
// in which case the endpoint moves there (the old listener closes only once the new one is bound).
func (g *Gateway) Open(ep Endpoint) (netip.AddrPort, error) {
	if ep.Name == "" {
		return netip.AddrPort{}, errors.New("gateway: endpoint name is empty")
	}
	cfg, err := ep.Policy.compile(ep.Backend)
	if err != nil {
		return netip.AddrPort{}, err
	}
	listen := ep.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if e, ok := g.endpoints[ep.Name]; ok {
		return g.reopen(e, listen, cfg)
	}
	ln, addr, err := listenTCP(listen)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("gateway: open endpoint %q: %w", ep.Name, err)
	}
	e := newEndpoint(ep.Name, g.logger, g.timeouts, cfg)
	e.dialControl = g.dialControl
	g.endpoints[ep.Name] = e
	e.serve(ln, addr)
	g.logger.Info("endpoint opened", slog.String("endpoint", ep.Name), slog.String("addr", addr.String()))
	return addr, nil
}

// reopen updates an open endpoint; g.mu is held.
func (g *Gateway) reopen(e *endpoint, listen string, cfg *settings) (netip.AddrPort, error) {
	cur := e.address()
	if !wantsMove(listen, cur) {
		e.publish(cfg)
		return cur, nil
	}
	ln, addr, err := listenTCP(listen)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("gateway: move endpoint %q: %w", e.name, err)
	}
	e.publish(cfg)
	e.serve(ln, addr)
	g.logger.Info("endpoint moved", slog.String("endpoint", e.name), slog.String("from", cur.String()),
		slog.String("addr", addr.String()))
	return addr, nil
}

// SetBackend points the next connections of an endpoint at backend ("" = target down).
func (g *Gateway) SetBackend(name, backend string) error {
	e, err := g.lookup(name)
	if err != nil {
		return err
	}
	var old string
	if err := e.update(func(cur *settings) (*settings, error) {
		old = cur.backend
		return cur.withBackend(backend)
	}); err != nil {
		return err
	}
	if old != "" && old != backend {
		e.closeBackend(old)
	}
	return nil
}

// SetPolicy replaces the firewall of an endpoint for its next connections.
func (g *Gateway) SetPolicy(name string, p Policy) error {
	e, err := g.lookup(name)
	if err != nil {
		return err
	}
	return e.update(func(cur *settings) (*settings, error) { return p.compile(cur.backend) })
}

// Addr returns the bound address of an endpoint.
func (g *Gateway) Addr(name string) (netip.AddrPort, bool) {
	e, err := g.lookup(name)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return e.address(), true
}

// Stats returns the counters of an endpoint.
func (g *Gateway) Stats(name string) (Stats, bool) {
	e, err := g.lookup(name)
	if err != nil {
		return Stats{}, false
	}
	return e.stats.snapshot(), true
}

// Close stops an endpoint: its listener and every session through it are closed, and Close returns once
// all of its goroutines have ended.
func (g *Gateway) Close(name string) error {
	g.mu.Lock()
	e, ok := g.endpoints[name]
	delete(g.endpoints, name)
	g.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownEndpoint, name)
	}
	e.shutdown()
	g.logger.Info("endpoint closed", slog.String("endpoint", name))
	return nil
}

// CloseAll closes every endpoint and waits for all goroutines of the gateway to end.
func (g *Gateway) CloseAll() {
	g.mu.Lock()
	all := g.endpoints
	g.endpoints = make(map[string]*endpoint)
	g.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range all {
		wg.Go(e.shutdown)
	}
	wg.Wait()
}

func (g *Gateway) lookup(name string) (*endpoint, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.endpoints[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownEndpoint, name)
	}
	return e, nil
}

// listenTCP binds addr and reports the bound address.
func listenTCP(addr string) (net.Listener, netip.AddrPort, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		ln.Close()
		return nil, netip.AddrPort{}, fmt.Errorf("listener on %s is not TCP", addr)
	}
	return ln, tcp.AddrPort(), nil
}

// wantsMove reports whether a listen address asks for something other than where the endpoint is bound.
// Port 0 means "any port", so it never moves an endpoint; a host name is compared by port only.
func wantsMove(listen string, cur netip.AddrPort) bool {
	host, portStr, err := net.SplitHostPort(listen)
	if err != nil {
		return true // let listenTCP report the malformed address
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return err != nil
	}
	if uint16(port) != cur.Port() {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap() != cur.Addr().Unmap()
}

// FreePort returns a TCP port that is free on host right now (bind port 0, read it, close). Another
// process may take it before the caller binds it; Open reports that as a listen error.
func FreePort(host string) (int, error) {
	ln, addr, err := listenTCP(net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("gateway: find free port on %s: %w", host, err)
	}
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("gateway: find free port on %s: %w", host, err)
	}
	return int(addr.Port()), nil
}
