package docker

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

func TestContainerLifecycle(t *testing.T) {
	env := newTestEnv(t)
	env.withTestbox(t)
	netInfo := env.createSubnetNetwork(t, env.name("cnet"), env.labels)
	volName := env.name("cvol")
	if err := env.rt.CreateVolume(env.ctx, runtime.VolumeSpec{Name: volName, Labels: env.labels}); err != nil {
		t.Fatal(err)
	}
	fixedIP := netip.MustParsePrefix(netInfo.Subnet).Addr().Next().Next().Next().String() // .3
	spec := runtime.ContainerSpec{
		Name: env.name("c0"), Image: testboxRef, Hostname: "c0",
		Cmd:    []string{"echo", "started", "+", "sleep"},
		Labels: env.owned("/flexibleServers/c0"), Network: netInfo.Name,
		Aliases: []string{"c0.internal"}, IPv4: fixedIP,
		Mounts:   []runtime.Mount{{Volume: volName, Target: "/data"}},
		NanoCPUs: 500_000_000, MemoryByte: 64 << 20,
		StopSignal: "SIGINT",
	}
	id, err := env.rt.CreateContainer(env.ctx, spec)
	if err != nil {
		t.Fatalf("CreateContainer: %v", err)
	}
	checkCreateIdempotent(t, env, spec, id)

	// Files go in before the first start, into the volume and into new directories of the image.
	files := []runtime.File{
		{Path: "/data/conf/app.conf", Mode: 0o600, UID: 999, GID: 998, Content: []byte("key = value\n")},
		{Path: "/opt/flexpg/new/readme.txt", Mode: 0o644, UID: 1000, GID: 1000, Content: []byte("hello\n")},
	}
	if err := env.rt.CopyFiles(env.ctx, spec.Name, files); err != nil {
		t.Fatalf("CopyFiles before start: %v", err)
	}
	if err := env.rt.StartContainer(env.ctx, spec.Name); err != nil {
		t.Fatalf("StartContainer: %v", err)
	}

	checkExec(t, env, spec.Name)
	checkInspectRunning(t, env, spec, netInfo.Name, fixedIP)
	checkLogs(t, env, spec.Name)
	checkUpdateResources(t, env, spec.Name)
	checkPause(t, env, spec.Name)

	// SIGINT is handled by testbox, so the stop is graceful: exit 0 well before the grace period.
	start := time.Now()
	if err := env.rt.StopContainer(env.ctx, spec.Name, 10*time.Second); err != nil {
		t.Fatalf("StopContainer: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stop took %s: the stop signal did not reach the process", d)
	}
	info, err := env.rt.InspectContainer(env.ctx, spec.Name)
	if err != nil || info.Running || info.Status != "exited" || info.ExitCode != 0 {
		t.Fatalf("after stop: %+v, %v; want exited with 0", info, err)
	}

	for i := range 2 { // the second removal finds nothing and succeeds
		if err := env.rt.RemoveContainer(env.ctx, spec.Name); err != nil {
			t.Fatalf("RemoveContainer #%d: %v", i+1, err)
		}
	}
	if _, err := env.rt.InspectContainer(env.ctx, spec.Name); !errors.Is(err, runtime.ErrNotFound) {
		t.Fatalf("inspect removed container: err %v, want ErrNotFound", err)
	}
}

func checkCreateIdempotent(t *testing.T, env *testEnv, spec runtime.ContainerSpec, id string) {
	t.Helper()
	again, err := env.rt.CreateContainer(env.ctx, spec)
	if err != nil || again != id {
		t.Fatalf("re-create: id %q err %v, want %q", again, err, id)
	}
	foreign := spec
	foreign.Labels = env.owned("/flexibleServers/someone-else")
	if _, err := env.rt.CreateContainer(env.ctx, foreign); !errors.Is(err, runtime.ErrConflict) {
		t.Fatalf("create with foreign owner: err %v, want ErrConflict", err)
	}
}

func checkExec(t *testing.T, env *testEnv, name string) {
	t.Helper()
	tests := []struct {
		name     string
		cmd      []string
		stdin    string
		wantOut  string
		wantErr  string
		wantCode int
	}{
		{"file in volume", []string{"/testbox", "cat", "/data/conf/app.conf"}, "", "key = value\n", "", 0},
		{"file in new dir", []string{"/testbox", "cat", "/opt/flexpg/new/readme.txt"}, "", "hello\n", "", 0},
		// New directories are owned like their file; the existing volume root keeps root ownership.
		{"modes and owners", []string{"/testbox", "stat", "/data/conf/app.conf", "/data/conf", "/opt/flexpg/new", "/data"}, "",
			"600 999 998\n755 999 998\n755 1000 1000\n755 0 0\n", "", 0},
		{"stdin", []string{"/testbox", "stdin"}, "from stdin", "from stdin", "", 0},
		{"stderr and exit code", []string{"/testbox", "err", "oops", "+", "exit", "7"}, "", "", "oops\n", 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdin *strings.Reader
			if tc.stdin != "" {
				stdin = strings.NewReader(tc.stdin)
			}
			var res runtime.ExecResult
			var err error
			if stdin != nil {
				res, err = env.rt.Exec(env.ctx, name, "", tc.cmd, stdin)
			} else {
				res, err = env.rt.Exec(env.ctx, name, "", tc.cmd, nil)
			}
			if err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if string(res.Stdout) != tc.wantOut || string(res.Stderr) != tc.wantErr || res.ExitCode != tc.wantCode {
				t.Errorf("Exec = code %d stdout %q stderr %q; want %d %q %q",
					res.ExitCode, res.Stdout, res.Stderr, tc.wantCode, tc.wantOut, tc.wantErr)
			}
		})
	}
	// Files can also be replaced while the container runs, and a file of another owner in an existing
	// directory leaves that directory's owner and mode alone.
	if err := env.rt.CopyFiles(env.ctx, name, []runtime.File{
		{Path: "/data/conf/app.conf", Mode: 0o600, UID: 999, GID: 998, Content: []byte("key = changed\n")},
		{Path: "/data/conf/extra.conf", Mode: 0o640, UID: 1000, GID: 1000, Content: []byte("x")},
	}); err != nil {
		t.Fatalf("CopyFiles while running: %v", err)
	}
	res, err := env.rt.Exec(env.ctx, name, "", []string{"/testbox", "cat", "/data/conf/app.conf", "+",
		"stat", "/data/conf", "/data/conf/extra.conf"}, nil)
	if want := "key = changed\n755 999 998\n640 1000 1000\n"; err != nil || string(res.Stdout) != want {
		t.Fatalf("after copy while running: %q, %v; want %q", res.Stdout, err, want)
	}
}

func checkInspectRunning(t *testing.T, env *testEnv, spec runtime.ContainerSpec, network, ip string) {
	t.Helper()
	info, err := env.rt.InspectContainer(env.ctx, spec.Name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != spec.Name || info.Image != testboxRef || !info.Running || info.Paused || info.Status != "running" {
		t.Errorf("state: %+v", info)
	}
	if info.IPs[network] != ip {
		t.Errorf("IPs = %v, want %s on %s", info.IPs, ip, network)
	}
	if info.NanoCPUs != spec.NanoCPUs || info.MemoryByte != spec.MemoryByte {
		t.Errorf("limits = %d cpu %d mem, want %d %d", info.NanoCPUs, info.MemoryByte, spec.NanoCPUs, spec.MemoryByte)
	}
	if info.Labels[runtime.LabelResource] != "/flexibleServers/c0" {
		t.Errorf("labels = %v", info.Labels)
	}
	if info.StartedAt.IsZero() || time.Since(info.StartedAt) > time.Minute {
		t.Errorf("StartedAt = %v", info.StartedAt)
	}
}

func checkLogs(t *testing.T, env *testEnv, name string) {
	t.Helper()
	var buf bytes.Buffer
	if err := env.rt.Logs(env.ctx, name, 10, false, &buf); err != nil {
		t.Fatalf("Logs: %v", err)
	}
	if buf.String() != "started\n" {
		t.Errorf("Logs = %q, want %q", buf.String(), "started\n")
	}
}

func checkUpdateResources(t *testing.T, env *testEnv, name string) {
	t.Helper()
	const cpus, mem = 250_000_000, 96 << 20
	if err := env.rt.UpdateResources(env.ctx, name, cpus, mem); err != nil {
		t.Fatalf("UpdateResources: %v", err)
	}
	info, err := env.rt.InspectContainer(env.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if info.NanoCPUs != cpus || info.MemoryByte != mem {
		t.Errorf("after update limits = %d cpu %d mem, want %d %d", info.NanoCPUs, info.MemoryByte, cpus, mem)
	}
}

func checkPause(t *testing.T, env *testEnv, name string) {
	t.Helper()
	if err := env.rt.PauseContainer(env.ctx, name); err != nil {
		t.Fatalf("PauseContainer: %v", err)
	}
	if info, err := env.rt.InspectContainer(env.ctx, name); err != nil || !info.Paused {
		t.Fatalf("after pause: %+v, %v", info, err)
	}
	if err := env.rt.UnpauseContainer(env.ctx, name); err != nil {
		t.Fatalf("UnpauseContainer: %v", err)
	}
	if info, err := env.rt.InspectContainer(env.ctx, name); err != nil || info.Paused || !info.Running {
		t.Fatalf("after unpause: %+v, %v", info, err)
	}
}

func TestMissingObjects(t *testing.T) {
	env := newTestEnv(t)
	missing := env.name("missing")
	checks := []struct {
		name string
		err  error
	}{
		{"InspectContainer", func() error { _, err := env.rt.InspectContainer(env.ctx, missing); return err }()},
		{"InspectNetwork", func() error { _, err := env.rt.InspectNetwork(env.ctx, missing); return err }()},
		{"StartContainer", env.rt.StartContainer(env.ctx, missing)},
		{"StopContainer", env.rt.StopContainer(env.ctx, missing, time.Second)},
		{"CopyFiles", env.rt.CopyFiles(env.ctx, missing, []runtime.File{{Path: "/x", Content: []byte("x")}})},
		{"Logs", env.rt.Logs(env.ctx, missing, 0, false, &bytes.Buffer{})},
	}
	for _, c := range checks {
		if !errors.Is(c.err, runtime.ErrNotFound) {
			t.Errorf("%s on a missing object: err %v, want ErrNotFound", c.name, c.err)
		}
	}
	for _, rm := range []func() error{
		func() error { return env.rt.RemoveContainer(env.ctx, missing) },
		func() error { return env.rt.RemoveVolume(env.ctx, missing) },
		func() error { return env.rt.RemoveNetwork(env.ctx, missing) },
	} {
		if err := rm(); err != nil {
			t.Errorf("removing a missing object: %v", err)
		}
	}
	ok, err := env.rt.ImageExists(env.ctx, "flexpg/no-such-image:"+env.id)
	if err != nil || ok {
		t.Errorf("ImageExists(missing) = %v, %v", ok, err)
	}
}

func TestRun(t *testing.T) {
	env := newTestEnv(t)
	env.withTestbox(t)
	if ok, err := env.rt.ImageExists(env.ctx, testboxRef); err != nil || !ok {
		t.Fatalf("ImageExists(testbox) = %v, %v", ok, err)
	}
	tests := []struct {
		name     string
		cmd      []string
		stdin    string
		wantOut  string
		wantErr  string
		wantCode int
	}{
		{"output and exit code", []string{"echo", "hello", "+", "err", "oops", "+", "exit", "3"}, "", "hello\n", "oops\n", 3},
		{"stdin", []string{"stdin"}, "piped", "piped", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			spec := runtime.ContainerSpec{Name: env.name("run"), Image: testboxRef, Cmd: tc.cmd, Labels: env.labels}
			var code int
			var err error
			if tc.stdin != "" {
				code, err = env.rt.Run(env.ctx, spec, strings.NewReader(tc.stdin), &stdout, &stderr)
			} else {
				code, err = env.rt.Run(env.ctx, spec, nil, &stdout, &stderr)
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if code != tc.wantCode || stdout.String() != tc.wantOut || stderr.String() != tc.wantErr {
				t.Errorf("Run = %d %q %q, want %d %q %q", code, stdout.String(), stderr.String(), tc.wantCode, tc.wantOut, tc.wantErr)
			}
			assertNothingLeft(t, env)
		})
	}
	t.Run("no network", func(t *testing.T) {
		var stdout bytes.Buffer
		spec := runtime.ContainerSpec{Name: env.name("run-nonet"), Image: testboxRef, Cmd: []string{"cat", "/proc/net/dev"},
			Labels: env.labels, Network: runtime.NoNetwork}
		if code, err := env.rt.Run(env.ctx, spec, nil, &stdout, nil); err != nil || code != 0 {
			t.Fatalf("Run = %d, %v", code, err)
		}
		if out := stdout.String(); !strings.Contains(out, "lo:") || strings.Contains(out, "eth") {
			t.Errorf("interfaces of a container with no network:\n%s", out)
		}
		assertNothingLeft(t, env)
	})
	t.Run("cancel kills and removes", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(env.ctx, 2*time.Second)
		defer cancel()
		spec := runtime.ContainerSpec{Name: env.name("run-cancel"), Image: testboxRef, Labels: env.labels} // sleeps
		start := time.Now()
		_, err := env.rt.Run(ctx, spec, nil, nil, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run with expiring ctx: err %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("cancelled Run took %s", d)
		}
		assertNothingLeft(t, env)
	})
}

func assertNothingLeft(t *testing.T, env *testEnv) {
	t.Helper()
	objs, err := env.rt.List(env.ctx, runtime.Labels{runtime.LabelTest: env.id})
	if err != nil || len(objs) != 0 {
		t.Fatalf("left behind: %+v, %v", objs, err)
	}
}
