package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// testTimeout bounds every integration test; the engine is local and the image tiny.
const testTimeout = 2 * time.Minute

// testEnv is one integration test's runtime, its unique labels and a name prefix for what it creates.
type testEnv struct {
	rt     *Runtime
	ctx    context.Context
	id     string
	labels runtime.Labels
}

// newTestEnv connects to Docker, or skips unless FLEXPG_DOCKER=1. Everything created with env.labels is
// swept when the test ends, whatever its outcome.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("Docker integration test: set FLEXPG_DOCKER=1 to run it against the local engine")
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	rt, err := New(ctx)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	env := &testEnv{rt: rt, ctx: ctx, id: uniqueID(t)}
	env.labels = runtime.Labels{runtime.LabelManaged: "true", runtime.LabelTest: env.id}
	t.Cleanup(func() {
		sweepCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := rt.Sweep(sweepCtx, runtime.Labels{runtime.LabelTest: env.id}); err != nil {
			t.Errorf("sweep %s: %v", env.id, err)
		}
		_ = rt.Close()
	})
	return env
}

// withTestbox makes sure the test image exists.
func (e *testEnv) withTestbox(t *testing.T) {
	t.Helper()
	if err := ensureTestbox(e.ctx, e.rt); err != nil {
		t.Fatalf("test image: %v", err)
	}
}

func uniqueID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "rt" + hex.EncodeToString(b)
}

// name makes an object name unique to this test.
func (e *testEnv) name(suffix string) string { return "flexpg-" + e.id + "-" + suffix }

// owned returns the test labels plus ownership by a resource of a test cloud.
func (e *testEnv) owned(resource string) runtime.Labels {
	l := runtime.Labels{runtime.LabelCloud: "cloud-" + e.id, runtime.LabelResource: resource}
	for k, v := range e.labels {
		l[k] = v
	}
	return l
}

// createSubnetNetwork creates a network on a random /24 in 10.251.0.0/16, trying other subnets when the
// engine reports an overlap with a network someone else created.
func (e *testEnv) createSubnetNetwork(t *testing.T, name string, labels runtime.Labels) runtime.NetworkInfo {
	t.Helper()
	var lastErr error
	for range 8 {
		b := make([]byte, 1)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		subnet := fmt.Sprintf("10.251.%d.0/24", b[0])
		info, err := e.rt.CreateNetwork(e.ctx, runtime.NetworkSpec{Name: name, Subnet: subnet, Labels: labels})
		if err == nil {
			return info
		}
		lastErr = err
	}
	t.Fatalf("create network %s: %v", name, lastErr)
	return runtime.NetworkInfo{}
}

// hostHasAddress reports whether an interface of this host carries ip, and which.
func hostHasAddress(t *testing.T, ip string) (string, bool) {
	t.Helper()
	want, err := netip.ParseAddr(ip)
	if err != nil {
		t.Fatalf("parse %q: %v", ip, err)
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifaces {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if got, ok := netip.AddrFromSlice(n.IP); ok && got.Unmap() == want {
					return ifc.Name, true
				}
			}
		}
	}
	return "", false
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-tick.C:
		}
	}
}
