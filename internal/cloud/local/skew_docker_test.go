package local_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/gateway"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// TestSkewRestartRealBinaries builds the binary twice with different versions, starts the local cloud
// from build A, and runs build B's `cloud up` (the same local.Ensure the provider runs with no endpoint):
// B must say that the cloud is from build A, restart it from itself, and keep the cloud (same ID, state
// kept). No server is created, so the cloud touches Docker only to connect to it.
func TestSkewRestartRealBinaries(t *testing.T) {
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("cloud integration test: set FLEXPG_DOCKER=1 (make test does) to run the cloud against Docker")
	}
	binA, binB := buildVersion(t, "skew-a"), buildVersion(t, "skew-b")
	home := t.TempDir()
	port, err := gateway.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "FLEXPG_HOME="+home, fmt.Sprintf("FLEXPG_ADDR=127.0.0.1:%d", port),
		"FLEXPG_TEST_RUN="+cloudtest.RunLabel(), "FLEXPG_ENDPOINT=", "FLEXPG_TOKEN=")
	run := func(bin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(filepath.Dir(bin)), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	var cloudID string
	t.Cleanup(func() {
		for _, bin := range []string{binB, binA} { // whichever build runs it, `cloud down` stops it
			cmd := exec.Command(bin, "cloud", "down")
			cmd.Env = env
			_ = cmd.Run()
		}
		if cloudID != "" {
			_ = cloudtest.Sweep(context.Background(), cloudID)
		}
		if t.Failed() {
			if log, err := os.ReadFile(local.LogPath(home)); err == nil {
				t.Logf("cloud log:\n%s", log)
			}
		}
	})

	run(binA, "cloud", "up")
	a, err := local.Probe(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	cloudID = a.CloudID
	if !strings.HasPrefix(a.Build, "skew-a+") {
		t.Fatalf("build A's cloud reports build %q", a.Build)
	}
	status := run(binB, "cloud", "status")
	t.Logf("build B's cloud status:\n%s", status)
	if !strings.Contains(status, "build "+a.Build) || !strings.Contains(status, "this binary is build skew-b+") {
		t.Fatalf("build B's `cloud status` does not show the skew:\n%s", status)
	}

	out := run(binB, "cloud", "up")
	t.Logf("build B's cloud up:\n%s", out)
	if !strings.Contains(out, "was started by build "+a.Build+"; this binary is build skew-b+") || !strings.Contains(out, "restarting it from this binary") {
		t.Fatalf("build B's `cloud up` does not say it restarts the cloud:\n%s", out)
	}
	b, err := local.Probe(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.Build, "skew-b+") || b.CloudID != a.CloudID || b.PID == a.PID || b.Endpoint != a.Endpoint {
		t.Fatalf("after the restart: %+v, before: %+v; want build B, the same cloud at the same endpoint, a new process", b, a)
	}
	if proc, err := os.FindProcess(a.PID); err == nil && proc.Signal(nil) == nil {
		t.Fatalf("build A's cloud (pid %d) still runs", a.PID)
	}

	// Now the builds agree: `cloud up` reuses the cloud.
	if out := run(binB, "cloud", "up"); strings.Contains(out, "restarting") {
		t.Fatalf("a cloud of the same build was restarted:\n%s", out)
	}
	if again, err := local.Probe(context.Background(), home); err != nil || again.PID != b.PID {
		t.Fatalf("after a second `cloud up`: %+v %v, want pid %d", again, err, b.PID)
	}
	if out := run(binB, "cloud", "down"); !strings.Contains(out, "stopped") {
		t.Fatalf("cloud down: %s", out)
	}
}

// buildVersion builds the binary as a release would stamp version.
func buildVersion(t *testing.T, version string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), version, "terraform-provider-flexpg")
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "../../..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", version, err, out)
	}
	return bin
}
