package gateway

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"slices"
)

// alpnPostgres is the ALPN protocol PostgreSQL 17+ requires for direct TLS (sslnegotiation=direct).
const alpnPostgres = "postgresql"

// Policy is a server's firewall as the gateway enforces it.
type Policy struct {
	// Allow lists the client address ranges that may connect. Empty means nobody: no rule, no access.
	Allow []netip.Prefix
	// RequireSecureTransport refuses plaintext connections even from allowed addresses.
	RequireSecureTransport bool
	// RefusalTLS holds the server's certificate, so a refused TLS client gets its error inside TLS after a
	// normal handshake, as from PostgreSQL. Nil makes the gateway answer 'N' to an SSLRequest it refuses.
	RefusalTLS *tls.Config
}

// settings is an endpoint's current backend and compiled policy. It is immutable once published, so a
// session reads one consistent snapshot without locks.
type settings struct {
	backend       string
	allow         []netip.Prefix
	requireSecure bool
	startTLS      *tls.Config // for an SSLRequest the gateway answers itself; nil = answer 'N'
	directTLS     *tls.Config // for a direct TLS ClientHello the gateway answers itself; nil = close
}

// compile validates p and freezes it: prefixes are masked and copied, TLS configs cloned, so later changes
// by the caller cannot leak into running sessions.
func (p Policy) compile(backend string) (*settings, error) {
	if err := validateBackend(backend); err != nil {
		return nil, err
	}
	s := &settings{backend: backend, requireSecure: p.RequireSecureTransport}
	for _, pfx := range p.Allow {
		if !pfx.IsValid() {
			return nil, fmt.Errorf("gateway: invalid allow prefix %q", pfx)
		}
		s.allow = append(s.allow, pfx.Masked())
	}
	if p.RefusalTLS != nil {
		s.startTLS = p.RefusalTLS.Clone()
		s.directTLS = p.RefusalTLS.Clone()
		s.directTLS.NextProtos = []string{alpnPostgres}
	}
	return s, nil
}

// withBackend returns a copy of s that targets backend.
func (s *settings) withBackend(backend string) (*settings, error) {
	if err := validateBackend(backend); err != nil {
		return nil, err
	}
	c := *s
	c.allow = slices.Clone(s.allow)
	c.backend = backend
	return &c, nil
}

// allows reports whether a client address is admitted by some rule. IPv4-mapped IPv6 peers are compared
// as IPv4, so a dual-stack listener cannot be used to slip past an IPv4 rule.
func (s *settings) allows(client netip.Addr) bool {
	client = client.Unmap()
	for _, pfx := range s.allow {
		if pfx.Contains(client) {
			return true
		}
	}
	return false
}

// validateBackend accepts "" (target down) or host:port.
func validateBackend(backend string) error {
	if backend == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(backend); err != nil {
		return fmt.Errorf("gateway: invalid backend %q: %w", backend, err)
	}
	return nil
}
