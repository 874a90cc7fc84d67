package dns

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
)

// Server answers DNS queries on any number of addresses (one per subnet
// gateway) from a single View.
type Server struct {
	view View
	log  *slog.Logger

	mu        sync.Mutex
	closed    bool
	endpoints map[netip.AddrPort]*endpoint
}

// New returns a server that answers from view. A nil logger discards logs.
func New(view View, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{view: view, log: logger, endpoints: map[netip.AddrPort]*endpoint{}}
}

// Listen starts serving UDP and TCP on addr. Listening again on an address
// already served is a no-op. The port must be explicit: both transports have
// to share it, and clients are told one address.
func (s *Server) Listen(addr netip.AddrPort) error {
	if !addr.IsValid() || addr.Port() == 0 {
		return fmt.Errorf("dns: listen address %v needs an IP and a port", addr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("dns: listen %v: %w", addr, net.ErrClosed)
	}
	if _, ok := s.endpoints[addr]; ok {
		return nil
	}
	e, err := openEndpoint(s, addr)
	if err != nil {
		return err
	}
	s.endpoints[addr] = e
	e.start()
	s.log.Info("dns listening", "addr", addr.String())
	return nil
}

// Unlisten stops serving addr and waits for its goroutines. Unknown
// addresses are ignored, so callers can tear down without bookkeeping. Call
// it before the address disappears from the host (network removal).
func (s *Server) Unlisten(addr netip.AddrPort) error {
	s.mu.Lock()
	e, ok := s.endpoints[addr]
	delete(s.endpoints, addr)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	err := e.stop()
	s.log.Info("dns stopped listening", "addr", addr.String())
	return err
}

// Close stops every listener and waits for all goroutines. Listen fails
// afterwards.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	all := s.endpoints
	s.endpoints = map[netip.AddrPort]*endpoint{}
	s.mu.Unlock()
	for addr, e := range all {
		if err := e.stop(); err != nil {
			s.log.Warn("dns close listener", "addr", addr.String(), "err", err)
		}
	}
}

// handle answers one request. A panic in the View must not take the cloud
// down with it, so it is logged and the request dropped.
func (s *Server) handle(msg []byte, client netip.Addr, t transport) (resp []byte) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("dns query panicked", "client", client.String(), "panic", fmt.Sprint(p))
			resp = nil
		}
	}()
	resp, o := respond(s.view, msg, client, t)
	if resp == nil {
		s.log.Debug("dns dropped packet", "client", client.String(), "transport", t.String(), "bytes", len(msg))
		return nil
	}
	s.log.Debug("dns query", "client", client.String(), "transport", t.String(),
		"name", o.name, "type", o.qtype, "rcode", o.rcode)
	return resp
}

// isClosed tells a serving loop that its socket was closed on purpose.
func isClosed(err error) bool { return errors.Is(err, net.ErrClosed) }
