package dns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
)

// goResolver is Go's own DNS client pointed at our server. It speaks the
// protocol with its own codec (EDNS included), so passing here shows the
// server interoperates with a real resolver. forceTCP hands it a stream
// connection, which it then frames for TCP.
func goResolver(addr netip.AddrPort, forceTCP bool) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			if forceTCP {
				network = "tcp"
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr.String())
		},
	}
}

func TestGoResolverInterop(t *testing.T) {
	_, addr := startServer(t, testView())
	for _, tcp := range []bool{false, true} {
		name := "udp"
		if tcp {
			name = "tcp"
		}
		t.Run(name, func(t *testing.T) {
			r := goResolver(addr, tcp)
			got, err := r.LookupNetIP(testCtx(t), "ip4", "PG1."+fqdn[4:]+".")
			if err != nil || !slices.Equal(got, []netip.Addr{pgAddr}) {
				t.Fatalf("LookupNetIP = %v, %v; want [%v]", got, err, pgAddr)
			}
			// LookupHost asks A and AAAA; the NODATA AAAA must not spoil it.
			hosts, err := r.LookupHost(testCtx(t), fqdn+".")
			if err != nil || !slices.Equal(hosts, []string{pgAddr.String()}) {
				t.Fatalf("LookupHost = %v, %v", hosts, err)
			}
			_, err = r.LookupHost(testCtx(t), "missing.postgres.flexpg.internal.")
			var dnsErr *net.DNSError
			if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
				t.Fatalf("missing name: %v, want not found", err)
			}
		})
	}
}
