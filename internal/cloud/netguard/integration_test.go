package netguard

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/docker"
)

// itEnv is one integration test: a Docker runtime, a unique ID (also the cloud short ID of its chains) and
// the labels of everything it creates.
type itEnv struct {
	rt     *docker.Runtime
	ctx    context.Context
	id     string
	labels runtime.Labels
}

// newITEnv skips unless FLEXPG_DOCKER=1 and root. Whatever the test creates in Docker and iptables is
// removed when it ends, whatever its outcome.
func newITEnv(t *testing.T) *itEnv {
	t.Helper()
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("Docker integration test: set FLEXPG_DOCKER=1 to run it against the local engine")
	}
	if os.Geteuid() != 0 {
		t.Skip("iptables and SO_MARK need root")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	rt, err := docker.New(ctx)
	if err != nil {
		t.Fatalf("docker.New: %v", err)
	}
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	e := &itEnv{rt: rt, ctx: ctx, id: "ng" + hex.EncodeToString(b)}
	e.labels = runtime.Labels{runtime.LabelManaged: "true", runtime.LabelTest: e.id}
	t.Cleanup(func() { // registered first, so it runs after the iptables sweep below
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := rt.Sweep(cctx, runtime.Labels{runtime.LabelTest: e.id}); err != nil {
			t.Errorf("docker sweep %s: %v", e.id, err)
		}
		_ = rt.Close()
	})
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := Sweep(cctx, e.id); err != nil {
			t.Errorf("iptables sweep %s: %v", e.id, err)
		}
	})
	if err := ensureNettool(ctx, rt); err != nil {
		t.Fatalf("test image: %v", err)
	}
	return e
}

func (e *itEnv) name(suffix string) string { return "flexpg-" + e.id + "-" + suffix }

func (e *itEnv) network(t *testing.T, suffix, cidr string) runtime.NetworkInfo {
	t.Helper()
	info, err := e.rt.CreateNetwork(e.ctx, runtime.NetworkSpec{Name: e.name(suffix), Subnet: cidr, Labels: e.labels})
	if err != nil {
		t.Fatalf("create network %s on %s (is the range taken by a leftover?): %v", suffix, cidr, err)
	}
	if info.Bridge == "" || info.Subnet != cidr {
		t.Fatalf("network %s: %+v", suffix, info)
	}
	return info
}

// container starts the test program on a network at a fixed address; no arguments make it wait.
func (e *itEnv) container(t *testing.T, suffix string, nw runtime.NetworkInfo, ip string, args ...string) string {
	t.Helper()
	name := e.name(suffix)
	_, err := e.rt.CreateContainer(e.ctx, runtime.ContainerSpec{
		Name: name, Image: nettoolRef, Cmd: args, Labels: e.labels, Network: nw.Name, IPv4: ip,
	})
	if err != nil {
		t.Fatalf("create container %s: %v", suffix, err)
	}
	if err := e.rt.StartContainer(e.ctx, name); err != nil {
		t.Fatalf("start container %s: %v", suffix, err)
	}
	return name
}

// dialFrom runs `nettool dial` in a container and returns its output and whether it connected.
func (e *itEnv) dialFrom(t *testing.T, container, addr string, timeout time.Duration) (string, bool) {
	t.Helper()
	res, err := e.rt.Exec(e.ctx, container, "", []string{"/nettool", "dial", addr, timeout.String()}, nil)
	if err != nil {
		t.Fatalf("exec in %s: %v", container, err)
	}
	return strings.TrimSpace(string(res.Stdout) + string(res.Stderr)), res.ExitCode == 0
}

// hostDial connects from this host and returns the server's greeting.
func hostDial(ctx context.Context, d *net.Dialer, addr string) (string, error) {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line), err
}

// listing is `iptables -t TABLE -S [CHAIN]`.
func listing(t *testing.T, table string, chain ...string) []string {
	t.Helper()
	args := append([]string{"-w", "-t", table, "-S"}, chain...)
	out, err := exec.Command("iptables", args...).Output()
	if err != nil {
		t.Fatalf("iptables %v: %v", args, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// matching returns the lines of both tables containing any of words.
func matching(t *testing.T, words ...string) []string {
	t.Helper()
	var out []string
	for _, table := range tables {
		for _, l := range listing(t, table) {
			for _, w := range words {
				if strings.Contains(l, w) {
					out = append(out, table+": "+l)
					break
				}
			}
		}
	}
	return out
}

func firstRule(t *testing.T, table, chain string) string {
	t.Helper()
	for _, l := range listing(t, table, chain) {
		if strings.HasPrefix(l, "-A ") {
			return l
		}
	}
	return ""
}

func TestPrivateAccess(t *testing.T) {
	env := newITEnv(t)
	ctx := env.ctx
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))

	// New before the networks exist: Docker then puts their MASQUERADE rules above our nat hook, and Apply
	// has to move the hook back in front of them.
	g, err := New(ctx, env.id, logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a1 := env.network(t, "a1", "10.213.1.0/24")
	a2 := env.network(t, "a2", "10.213.2.0/24")
	b1 := env.network(t, "b1", "10.214.1.0/24")
	t.Logf("POSTROUTING after the networks were created: first rule %q", firstRule(t, "nat", "POSTROUTING"))

	// Docker's own rules for our networks, to compare after Close.
	dockerBefore := matching(t, a1.Bridge, a2.Bridge, b1.Bridge, "10.213.", "10.214.")
	isolationBefore := listing(t, "filter", "DOCKER-ISOLATION-STAGE-1")
	if len(dockerBefore) == 0 || !strings.Contains(strings.Join(isolationBefore, "\n"), a1.Bridge) {
		t.Fatalf("Docker has no rules for the test bridges: %q", dockerBefore)
	}

	const serverIP, clientAIP, clientBIP = "10.213.2.10", "10.213.1.10", "10.214.1.10"
	server := serverIP + ":5432"
	env.container(t, "server", a2, serverIP, "serve", "5432")
	clientA := env.container(t, "client-a", a1, clientAIP)
	clientB := env.container(t, "client-b", b1, clientBIP)

	// Without our rules the host reaches the server and subnet A1 does not (Docker isolates bridges).
	plain := &net.Dialer{Timeout: time.Second}
	waitFor(t, 20*time.Second, "server to answer the host", func() bool {
		_, err := hostDial(ctx, plain, server)
		return err == nil
	})
	if out, ok := env.dialFrom(t, clientA, server, time.Second); ok {
		t.Fatalf("before Apply, A1 reached A2 (%q): the test cannot tell what Apply does", out)
	}

	vnets := []VNet{
		{Name: "a", Subnets: []Subnet{
			{Prefix: netip.MustParsePrefix(a1.Subnet), Bridge: a1.Bridge},
			{Prefix: netip.MustParsePrefix(a2.Subnet), Bridge: a2.Bridge},
		}},
		{Name: "b", Subnets: []Subnet{{Prefix: netip.MustParsePrefix(b1.Subnet), Bridge: b1.Bridge}}},
	}
	if err := g.Apply(ctx, vnets); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	ours := matching(t, env.id)
	for _, tc := range []struct{ table, chain, want string }{
		{"filter", "DOCKER-USER", "-A DOCKER-USER -j FLEXPG-" + env.id + "-FWD"},
		{"filter", "OUTPUT", "-A OUTPUT -j FLEXPG-" + env.id + "-OUT"},
		{"nat", "POSTROUTING", "-A POSTROUTING -j FLEXPG-" + env.id + "-NAT"},
	} {
		if got := firstRule(t, tc.table, tc.chain); got != tc.want {
			t.Errorf("first rule of %s %s = %q, want %q", tc.table, tc.chain, got, tc.want)
		}
	}

	// Idempotent: a second Apply and a second New (a restarted cloud) leave the same rules.
	if err := g.Apply(ctx, vnets); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if _, err := New(ctx, env.id, logger); err != nil {
		t.Fatalf("second New: %v", err)
	}
	if again := matching(t, env.id); strings.Join(again, "\n") != strings.Join(ours, "\n") {
		t.Errorf("rules changed on re-apply:\nbefore %q\nafter  %q", ours, again)
	}

	t.Run("same VNet connects with the real source address", func(t *testing.T) {
		out, ok := env.dialFrom(t, clientA, server, 3*time.Second)
		if !ok || !strings.HasPrefix(out, "peer="+clientAIP+":") {
			t.Fatalf("A1 -> A2: ok=%v output %q, want peer=%s:<port>", ok, out, clientAIP)
		}
	})
	t.Run("other VNet is isolated", func(t *testing.T) {
		if out, ok := env.dialFrom(t, clientB, server, time.Second); ok {
			t.Fatalf("B -> A2 connected: %q", out)
		}
	})
	t.Run("host is refused at once", func(t *testing.T) {
		start := time.Now()
		_, err := hostDial(ctx, &net.Dialer{Timeout: 3 * time.Second}, server)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("host dial: err %v, want connection refused", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("refusal took %s, want a reset, not a timeout", took)
		}
	})
	t.Run("management dialer gets through", func(t *testing.T) {
		out, err := hostDial(ctx, ManagementDialer(3*time.Second), server)
		if err != nil || !strings.HasPrefix(out, "peer="+a2.Gateway+":") {
			t.Fatalf("management dial: %q, %v; want peer=%s:<port>", out, err, a2.Gateway)
		}
	})
	t.Run("containers reach the host's bridge address on port 53", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", a1.Gateway+":53")
		if err != nil {
			t.Skipf("cannot listen on %s:53 here: %v", a1.Gateway, err)
		}
		defer pc.Close()
		go answerPings(pc)
		res, err := env.rt.Exec(ctx, clientA, "", []string{"/nettool", "udp", a1.Gateway + ":53", "2s"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(res.Stdout)); res.ExitCode != 0 || got != "pong" {
			t.Fatalf("udp to %s:53: exit %d, %q %q", a1.Gateway, res.ExitCode, got, res.Stderr)
		}
	})

	if err := g.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if left := matching(t, env.id); len(left) > 0 {
		t.Errorf("rules left after Close: %q", left)
	}
	if after := matching(t, a1.Bridge, a2.Bridge, b1.Bridge, "10.213.", "10.214."); strings.Join(after, "\n") != strings.Join(dockerBefore, "\n") {
		t.Errorf("Docker's rules changed:\nbefore %q\nafter  %q", dockerBefore, after)
	}
	if after := listing(t, "filter", "DOCKER-ISOLATION-STAGE-1"); strings.Join(after, "\n") != strings.Join(isolationBefore, "\n") {
		t.Errorf("DOCKER-ISOLATION-STAGE-1 changed:\nbefore %q\nafter  %q", isolationBefore, after)
	}
	// And the effects are gone with the rules.
	if out, ok := env.dialFrom(t, clientA, server, time.Second); ok {
		t.Errorf("after Close, A1 still reaches A2: %q", out)
	}
	if _, err := hostDial(ctx, plain, server); err != nil {
		t.Errorf("after Close, the host still cannot connect: %v", err)
	}
	if err := g.Apply(ctx, vnets); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close: %v, want ErrClosed", err)
	}
}

// answerPings answers every datagram with "pong" until the socket is closed.
func answerPings(pc net.PacketConn) {
	buf := make([]byte, 512)
	for {
		_, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = pc.WriteTo([]byte("pong"), addr)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-tick.C:
		}
	}
}
