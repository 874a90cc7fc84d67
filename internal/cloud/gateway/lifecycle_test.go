package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Policy changes apply to the very next connection: measured well inside 100 ms (the bar is 5 s).
func TestSetPolicyAppliesToNextConnection(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}})

	// An established session is left alone by a policy change.
	kept, err := client{opts: "sslmode=disable"}.connect(t, addr)
	if err != nil {
		t.Fatalf("initial connect: %v", err)
	}
	steps := []struct {
		name    string
		policy  Policy
		refused bool
	}{
		{"allow to deny", Policy{}, true},
		{"deny to allow", Policy{Allow: allow("127.0.0.0/8")}, false},
		{"allow to other range", Policy{Allow: allow("192.168.0.0/16")}, true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			start := time.Now()
			if err := g.SetPolicy("db", st.policy); err != nil {
				t.Fatal(err)
			}
			// The bar is 5 s; the policy is in force for the very next connection, so 1 s leaves room only for
			// a loaded machine, not for a slow gateway.
			waitFor(t, time.Second, "next connection to follow the policy", func() bool {
				_, err := client{opts: "sslmode=disable"}.connect(t, addr)
				return (err != nil) == st.refused
			})
			if el := time.Since(start); el > time.Second {
				t.Fatalf("policy took %v", el)
			}
		})
	}
	if err := kept.Exec(context.Background(), "select 1").Close(); err != nil {
		t.Fatalf("established session was disturbed by policy changes: %v", err)
	}
}

func TestUnknownEndpoint(t *testing.T) {
	g, _ := testGateway(t)
	checks := map[string]error{
		"SetBackend": g.SetBackend("nope", "127.0.0.1:1"),
		"SetPolicy":  g.SetPolicy("nope", Policy{}),
		"Close":      g.Close("nope"),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrUnknownEndpoint) {
			t.Errorf("%s: got %v, want ErrUnknownEndpoint", name, err)
		}
	}
	if _, ok := g.Addr("nope"); ok {
		t.Error("Addr of unknown endpoint reported ok")
	}
}

func TestInvalidInput(t *testing.T) {
	g, _ := testGateway(t)
	open(t, g, Endpoint{Name: "db"})
	cases := map[string]error{
		"empty name":      func() error { _, err := g.Open(Endpoint{}); return err }(),
		"bad backend":     g.SetBackend("db", "no-port"),
		"invalid prefix":  g.SetPolicy("db", Policy{Allow: []netip.Prefix{{}}}),
		"bad listen addr": func() error { _, err := g.Open(Endpoint{Name: "x", Listen: "127.0.0.1"}); return err }(),
	}
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestOpenPortTaken(t *testing.T) {
	g, _ := testGateway(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = g.Open(Endpoint{Name: "db", Listen: taken.Addr().String()})
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("got %v, want a wrapped listen error (EADDRINUSE)", err)
	}
	if _, ok := g.Addr("db"); ok {
		t.Fatal("failed Open left an endpoint behind")
	}
}

// Opening an open name updates it; a different fixed port moves it.
func TestOpenExistingUpdates(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	first := open(t, g, Endpoint{Name: "db"})
	again := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}})
	if again != first {
		t.Fatalf("reopen moved the endpoint from %v to %v", first, again)
	}
	if _, err := (client{opts: "sslmode=disable"}).connect(t, again); err != nil {
		t.Fatalf("update not applied: %v", err)
	}
	port, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	moved := open(t, g, Endpoint{Name: "db", Listen: netip.AddrPortFrom(loopback1, uint16(port)).String(),
		Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}})
	if moved.Port() != uint16(port) {
		t.Fatalf("moved to %v, want port %d", moved, port)
	}
	if _, err := (client{opts: "sslmode=disable"}).connect(t, moved); err != nil {
		t.Fatalf("connect at new address: %v", err)
	}
	waitFor(t, time.Second, "old port to be released", func() bool {
		ln, err := net.Listen("tcp", first.String())
		if err == nil {
			ln.Close()
		}
		return err == nil
	})
}

// CloseAll closes listeners and sessions, and no goroutine of the gateway is left behind.
func TestCloseAllReleasesEverything(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	addrs := []netip.AddrPort{
		open(t, g, Endpoint{Name: "a", Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}}),
		open(t, g, Endpoint{Name: "b"}),
	}
	session, err := client{opts: "sslmode=disable"}.connect(t, addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	// A client that sends nothing is parked in the startup read.
	idle, err := net.Dial("tcp", addrs[1].String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	waitFor(t, time.Second, "both connections accepted", func() bool {
		a, _ := g.Stats("a")
		b, _ := g.Stats("b")
		return a.Active == 1 && b.Active == 1
	})

	start := time.Now()
	g.CloseAll()
	// Sessions are closed, not waited out (the startup read alone would last 2 s, a session forever).
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Fatalf("CloseAll took %v: sessions were not closed", el)
	}

	for _, a := range addrs {
		ln, err := net.Listen("tcp", a.String())
		if err != nil {
			t.Fatalf("port %v still taken after CloseAll: %v", a, err)
		}
		ln.Close()
	}
	if err := session.Exec(context.Background(), "select 1").Close(); err == nil {
		t.Fatal("forwarded session survived CloseAll")
	}
	_ = idle.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle client: got %v, want EOF", err)
	}
	// CloseAll has waited for every goroutine's Done; allow the last ones a moment to leave the scheduler.
	waitFor(t, time.Second, "gateway goroutines to exit", func() bool { return gatewayGoroutines() == "" })
	if _, ok := g.Addr("a"); ok {
		t.Fatal("endpoint still known after CloseAll")
	}
}

// gatewayGoroutines returns the stacks of goroutines running gateway code (not test code).
func gatewayGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		frames, _, _ := strings.Cut(g, "\ncreated by ")
		for _, fn := range []string{"gateway.(*endpoint).acceptLoop", "gateway.(*session).run", "gateway.splice"} {
			if strings.Contains(frames, fn) {
				left = append(left, g)
				break
			}
		}
	}
	return strings.Join(left, "\n\n")
}

func TestCancelRequest(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	cancel := []byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0x10, 0x92, 1, 2, 3, 4}
	addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.2/32")}})

	t.Run("refused address is closed unanswered", func(t *testing.T) {
		got := rawExchange(t, loopback1, addr, cancel)
		if len(got) != 0 {
			t.Fatalf("refused cancel got answer % x", got)
		}
		if backend.connections() != 0 {
			t.Fatal("refused cancel reached the backend")
		}
	})
	t.Run("allowed address is forwarded", func(t *testing.T) {
		rawExchange(t, loopback2, addr, cancel)
		if rec := backend.nextRecord(t); string(rec) != string(cancel) {
			t.Fatalf("backend got % x", rec)
		}
	})
}

// Malformed or silent clients are closed without an answer and without harm.
func TestMalformedFirstMessages(t *testing.T) {
	g, _ := testGateway(t)
	g.timeouts.startup = 200 * time.Millisecond
	addr := open(t, g, Endpoint{Name: "db", Policy: Policy{Allow: allow("127.0.0.1/32"), RefusalTLS: selfSigned(t, "s")}})
	cases := map[string][]byte{
		"silent":                 nil,
		"huge length":            {0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0},
		"short length":           {0, 0, 0, 4, 0, 3, 0, 0},
		"no terminator":          {0, 0, 0, 12, 0, 3, 0, 0, 'u', 0, 'x', 'y'},
		"truncated body":         {0, 0, 0, 40, 0, 3, 0, 0, 'u'},
		"ssl request twice":      {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f, 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f},
		"garbage after ssl 'S'":  {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0},
		"direct TLS garbage":     {0x16, 3, 1, 0, 5, 0, 0, 0, 0, 0},
		"cancel of wrong length": {0, 0, 0, 12, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			got := rawExchange(t, loopback1, addr, in)
			// Nothing, the one-byte answer to an SSLRequest, or a TLS alert (0x15) from a failed handshake:
			// the gateway never answers garbage with a PostgreSQL message.
			if len(got) > 1 && got[0] != 'S' && got[0] != 'N' && got[0] != 0x15 {
				t.Fatalf("unexpected answer % x", got)
			}
		})
	}
	waitFor(t, 2*time.Second, "all sessions to end", func() bool {
		st, _ := g.Stats("db")
		return st.Active == 0
	})
	if st, _ := g.Stats("db"); st.Dropped != uint64(len(cases)) || st.Forwarded != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

// rawExchange sends in from the given local address and returns everything read until the gateway closes.
func rawExchange(t *testing.T, from netip.Addr, to netip.AddrPort, in []byte) []byte {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from.AsSlice()}}
	conn, err := d.Dial("tcp", to.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	if len(in) > 0 {
		if _, err := conn.Write(in); err != nil {
			t.Fatal(err)
		}
	}
	out, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("gateway did not close the connection: %v", err)
	}
	return out
}

func TestFreePort(t *testing.T) {
	port, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", netip.AddrPortFrom(loopback1, uint16(port)).String())
	if err != nil {
		t.Fatalf("FreePort returned a port that cannot be bound: %v", err)
	}
	ln.Close()
	if _, err := FreePort("256.0.0.1"); err == nil {
		t.Fatal("FreePort on an invalid host succeeded")
	}
}

// GSSAPI encryption is declined with 'N' and the client goes on in plaintext on the same connection.
func TestGSSEncRequestDeclined(t *testing.T) {
	g, _ := testGateway(t)
	addr := open(t, g, Endpoint{Name: "db"})
	in := append([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}, startupBytes("user", "eve")...)
	got := rawExchange(t, loopback1, addr, in)
	want := `no pg_hba.conf entry for host "127.0.0.1", user "eve", database "eve", no encryption`
	if len(got) < 2 || got[0] != 'N' || got[1] != 'E' || !strings.Contains(string(got), want) {
		t.Fatalf("got %q", got)
	}
}

// A new backend (the primary moved) ends the sessions spliced to the old one, so their clients reconnect;
// a policy change leaves them alone.
func TestSetBackendClosesSessionsOfTheOldBackend(t *testing.T) {
	g, _ := testGateway(t)
	oldBackend, newBackend := newFakeBackend(t, nil), newFakeBackend(t, nil)
	addr := open(t, g, Endpoint{Name: "a", Backend: oldBackend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}})
	session, err := client{opts: "sslmode=disable"}.connect(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetPolicy("a", Policy{Allow: allow("127.0.0.0/8")}); err != nil {
		t.Fatal(err)
	}
	if err := session.Exec(context.Background(), "select 1").Close(); err != nil {
		t.Fatalf("a policy change ended the session: %v", err)
	}
	if err := g.SetBackend("a", newBackend.addr()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "the old backend's session to end", func() bool {
		return session.Exec(context.Background(), "select 1").Close() != nil
	})
	before := oldBackend.connections()
	again, err := client{opts: "sslmode=disable"}.connect(t, addr)
	if err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	if err := again.Exec(context.Background(), "select 1").Close(); err != nil || newBackend.connections() == 0 || oldBackend.connections() != before {
		t.Fatalf("the new session: %v; connections: new backend %d, old backend %d (was %d)", err,
			newBackend.connections(), oldBackend.connections(), before)
	}
}
