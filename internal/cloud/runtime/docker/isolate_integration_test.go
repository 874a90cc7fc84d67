package docker

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// listenPort is where the isolated testbox serves.
const listenPort = "7000"

func TestIsolateAndHeal(t *testing.T) {
	env := newTestEnv(t)
	env.withTestbox(t)
	// A network whose subnet the engine chose, like the cloud's public one: a disconnect could not give
	// the container its address back there.
	netName := env.name("inet")
	if _, err := env.rt.CreateNetwork(env.ctx, runtime.NetworkSpec{Name: netName, Labels: env.labels}); err != nil {
		t.Fatal(err)
	}
	name := env.name("iso")
	if _, err := env.rt.CreateContainer(env.ctx, runtime.ContainerSpec{
		Name: name, Image: testboxRef, Labels: env.labels, Network: netName, Aliases: []string{"iso.internal"},
		Cmd: []string{"listen", listenPort, "+", "sleep"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := env.rt.StartContainer(env.ctx, name); err != nil {
		t.Fatal(err)
	}
	info, err := env.rt.InspectContainer(env.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	ip := info.IPs[netName]
	eventually(t, 10*time.Second, "the container to serve on "+ip, func() bool { return reachable(ip) })

	for i := range 2 { // the second isolation changes nothing
		if err := env.rt.IsolateContainer(env.ctx, name); err != nil {
			t.Fatalf("IsolateContainer #%d: %v", i+1, err)
		}
	}
	if reachable(ip) {
		t.Fatalf("isolated container still answers on %s", ip)
	}
	// The engine still has it as it was: running, same address.
	if info, err := env.rt.InspectContainer(env.ctx, name); err != nil || !info.Running || info.IPs[netName] != ip {
		t.Fatalf("isolated container: %+v, %v; want running with %s", info, err, ip)
	}

	// Heal while paused: that needs no exec in the container.
	if err := env.rt.PauseContainer(env.ctx, name); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := env.rt.HealContainer(env.ctx, name); err != nil {
			t.Fatalf("HealContainer #%d of a paused container: %v", i+1, err)
		}
	}
	if err := env.rt.UnpauseContainer(env.ctx, name); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the healed container to answer on "+ip, func() bool { return reachable(ip) })

	if err := env.rt.StopContainer(env.ctx, name, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := env.rt.IsolateContainer(env.ctx, name); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("isolate a stopped container: err %v, want ErrConflict", err)
	}
	if err := env.rt.HealContainer(env.ctx, env.name("missing")); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("heal a missing container: err %v, want ErrNotFound", err)
	}
}

// reachable reports whether the testbox at ip answers on listenPort. The address is on a bridge of this
// host, so the attempt never leaves the machine.
func reachable(ip string) bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, listenPort), 500*time.Millisecond)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	b, err := io.ReadAll(conn)
	return err == nil && string(b) == "ok\n"
}
