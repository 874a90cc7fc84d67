package dns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestServerAnswersByClientVNet(t *testing.T) {
	_, addr := startServer(t, testView())
	tests := []struct {
		name   string
		client netip.Addr
		qname  string
		want   []netip.Addr
		wantNX bool
	}{
		{"own vnet, server fqdn", clientA, fqdn, []netip.Addr{pgAddr}, false},
		{"linked vnet, zone name", clientB, zoneName, []netip.Addr{pgAddr}, false},
		{"unlinked vnet, zone name", clientC, zoneName, nil, true},
		{"unlinked vnet, server fqdn", clientC, fqdn, nil, true},
		{"uppercase", clientB, "PG1.CORP.Postgres.flexpg.internal.", []netip.Addr{pgAddr}, false},
		{"unknown name", clientA, "nobody.postgres.flexpg.internal", nil, true},
		{"no internet", clientA, "example.com", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lookupFrom(testCtx(t), tt.client, addr, tt.qname)
			if tt.wantNX {
				if !errors.Is(err, ErrNXDomain) {
					t.Fatalf("got %v, %v; want ErrNXDomain", got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	_, addr := startServer(t, testView())
	got, err := Lookup(testCtx(t), addr, fqdn)
	if err != nil || !slices.Equal(got, []netip.Addr{pgAddr}) {
		t.Fatalf("Lookup = %v, %v; want [%v]", got, err, pgAddr)
	}
	if _, err := Lookup(testCtx(t), addr, "missing.internal"); !errors.Is(err, ErrNXDomain) {
		t.Fatalf("Lookup missing = %v, want ErrNXDomain", err)
	}
}

// TestLookupFallsBackToTCP: 100 addresses do not fit a plain UDP reply, so
// Lookup must see TC and ask again over TCP.
func TestLookupFallsBackToTCP(t *testing.T) {
	_, addr := startServer(t, manyView(100))
	got, err := Lookup(testCtx(t), addr, fqdn)
	if err != nil || len(got) != 100 {
		t.Fatalf("Lookup = %d addresses, %v; want 100", len(got), err)
	}
}

func TestLookupHonoursContext(t *testing.T) {
	// A bound UDP socket that never answers.
	silent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Lookup(ctx, silent.LocalAddr().(*net.UDPAddr).AddrPort(), fqdn)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("Lookup = %v after %v, want DeadlineExceeded quickly", err, time.Since(start))
	}
}

func TestServerTCP(t *testing.T) {
	_, addr := startServer(t, testView())
	c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Two queries on one connection: the server must keep it open.
	for i, qname := range []string{fqdn, "nope.internal"} {
		if err := writeFramed(c, rawQuery(t, uint16(100+i), qname, typeA, classIN, nil)); err != nil {
			t.Fatal(err)
		}
		resp, err := readFramed(c)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		d := decodeReply(t, resp)
		wantRcode, wantAddrs := rcodeSuccess, []netip.Addr{pgAddr}
		if i == 1 {
			wantRcode, wantAddrs = rcodeNXDomain, nil
		}
		if d.hdr.id != uint16(100+i) || d.hdr.rcode() != wantRcode || !slices.Equal(d.addrs(), wantAddrs) {
			t.Fatalf("query %d: id %d rcode %d answers %v", i, d.hdr.id, d.hdr.rcode(), d.addrs())
		}
	}
}

// TestServerSurvivesGarbage sends malformed datagrams and then checks the
// server still answers: a FORMERR or silence is fine, a dead loop is not.
func TestServerSurvivesGarbage(t *testing.T) {
	_, addr := startServer(t, testView())
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	garbage := [][]byte{
		{},
		{0xff},
		make([]byte, 12),
		msgWith(0xC0, 12, 0, 1, 0, 1),
		append(make([]byte, 4), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		rawQuery(t, 7, fqdn, typeA, classIN, nil)[:15],
	}
	for _, g := range garbage {
		if _, err := c.Write(g); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Lookup(testCtx(t), addr, fqdn)
	if err != nil || !slices.Equal(got, []netip.Addr{pgAddr}) {
		t.Fatalf("after garbage: %v, %v", got, err)
	}
}

type panicView struct{}

func (panicView) Resolve(netip.Addr, string) ([]netip.Addr, bool) { panic("view broke") }

func TestServerSurvivesViewPanic(t *testing.T) {
	s := New(panicView{}, nil)
	defer s.Close()
	if resp := s.handle(rawQuery(t, 1, fqdn, typeA, classIN, nil), clientA, overUDP); resp != nil {
		t.Fatalf("want the query dropped, got %x", resp)
	}
}

func TestListenUnlistenClose(t *testing.T) {
	s, addr := startServer(t, testView())
	if err := s.Listen(addr); err != nil {
		t.Fatalf("second Listen on the same address: %v", err)
	}
	second := listenFree(t, s, netip.MustParseAddr("127.0.0.2"))
	if _, err := Lookup(testCtx(t), second, fqdn); err != nil {
		t.Fatalf("lookup on second address: %v", err)
	}
	if err := s.Unlisten(second); err != nil {
		t.Fatal(err)
	}
	assertPortsFree(t, second)
	if _, err := Lookup(testCtx(t), addr, fqdn); err != nil {
		t.Fatalf("first address stopped with the second: %v", err)
	}
	if err := s.Unlisten(second); err != nil {
		t.Fatalf("Unlisten twice: %v", err)
	}

	// An open TCP connection must not keep Close waiting.
	idle, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on an idle TCP connection")
	}
	assertPortsFree(t, addr)
	if err := s.Listen(addr); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Listen after Close = %v, want net.ErrClosed", err)
	}
}

func TestListenRejectsPortZero(t *testing.T) {
	s := New(testView(), nil)
	defer s.Close()
	if err := s.Listen(netip.MustParseAddrPort("127.0.0.1:0")); err == nil {
		t.Fatal("Listen on port 0 succeeded")
	}
}

func assertPortsFree(t *testing.T, addr netip.AddrPort) {
	t.Helper()
	u, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatalf("UDP %v still taken: %v", addr, err)
	}
	u.Close()
	l, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatalf("TCP %v still taken: %v", addr, err)
	}
	l.Close()
}
