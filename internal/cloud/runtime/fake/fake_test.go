package fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

const img = "flexpg/postgres:17"

func owner(resource string) runtime.Labels {
	return runtime.Labels{runtime.LabelManaged: "true", runtime.LabelCloud: "c1", runtime.LabelResource: resource}
}

// newWithNetwork returns a fake holding the image and a network "net" on 10.1.0.0/24.
func newWithNetwork(t *testing.T) (*Runtime, context.Context) {
	t.Helper()
	f := New()
	f.ImageRefs[img] = true
	ctx := context.Background()
	if _, err := f.CreateNetwork(ctx, runtime.NetworkSpec{Name: "net", Subnet: "10.1.0.0/24", Labels: owner("/vnet")}); err != nil {
		t.Fatal(err)
	}
	return f, ctx
}

func mustCreate(t *testing.T, f *Runtime, spec runtime.ContainerSpec) string {
	t.Helper()
	id, err := f.CreateContainer(context.Background(), spec)
	if err != nil {
		t.Fatalf("CreateContainer %s: %v", spec.Name, err)
	}
	return id
}

func TestNetworks(t *testing.T) {
	f := New()
	ctx := context.Background()
	a, err := f.CreateNetwork(ctx, runtime.NetworkSpec{Name: "a", Labels: owner("/a")})
	if err != nil {
		t.Fatal(err)
	}
	if a.Subnet != "10.99.0.0/24" || a.Gateway != "10.99.0.1" || a.Bridge != "br-"+a.ID[:12] || len(a.ID) != 64 {
		t.Errorf("default network = %+v", a)
	}
	b, err := f.CreateNetwork(ctx, runtime.NetworkSpec{Name: "b", Labels: owner("/b")})
	if err != nil || b.Subnet != "10.99.1.0/24" {
		t.Errorf("second default network = %+v, %v; want 10.99.1.0/24", b, err)
	}
	tests := []struct {
		name    string
		spec    runtime.NetworkSpec
		wantErr error // nil: success; errAny: any error
		wantID  string
	}{
		{"same owner again", runtime.NetworkSpec{Name: "a", Labels: owner("/a")}, nil, a.ID},
		{"same owner, other labels", runtime.NetworkSpec{Name: "a", Labels: runtime.Labels{
			runtime.LabelCloud: "c1", runtime.LabelResource: "/a", runtime.LabelRole: "x"}}, nil, a.ID},
		{"foreign owner", runtime.NetworkSpec{Name: "a", Labels: owner("/other")}, runtime.ErrConflict, ""},
		{"overlapping subnet", runtime.NetworkSpec{Name: "c", Subnet: "10.99.0.128/25"}, errAny, ""},
		{"bad subnet", runtime.NetworkSpec{Name: "c", Subnet: "nonsense"}, errAny, ""},
	}
	for _, tc := range tests {
		info, err := f.CreateNetwork(ctx, tc.spec)
		switch {
		case tc.wantErr == nil && (err != nil || info.ID != tc.wantID):
			t.Errorf("%s: %+v, %v; want ID %s", tc.name, info, err, tc.wantID)
		case tc.wantErr == errAny && err == nil, tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.wantErr)
		}
	}
	if _, err := f.InspectNetwork(ctx, "missing"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("inspect missing: %v", err)
	}
	if got, err := f.InspectNetwork(ctx, a.ID); err != nil || got.Name != "a" {
		t.Errorf("inspect by ID: %+v, %v", got, err)
	}
	for range 2 {
		if err := f.RemoveNetwork(ctx, "a"); err != nil {
			t.Fatalf("RemoveNetwork: %v", err)
		}
	}
}

var errAny = errors.New("any error")

func TestContainerAddresses(t *testing.T) {
	f, ctx := newWithNetwork(t)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c0", Image: img, Network: "net", Labels: owner("/s0")})
	mustCreate(t, f, runtime.ContainerSpec{Name: "c1", Image: img, Network: "net", IPv4: "10.1.0.10", Labels: owner("/s1")})
	mustCreate(t, f, runtime.ContainerSpec{Name: "c2", Image: img, Network: "net", Labels: owner("/s2")})
	if _, err := f.CreateContainer(ctx, runtime.ContainerSpec{Name: "c3", Image: img, Network: "net", IPv4: "10.1.0.10"}); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("duplicate fixed address: %v, want ErrConflict", err)
	}
	if _, err := f.CreateContainer(ctx, runtime.ContainerSpec{Name: "c3", Image: img, Network: "net", IPv4: "10.2.0.10"}); err == nil {
		t.Error("address outside the subnet accepted")
	}
	for _, name := range []string{"c0", "c1", "c2"} {
		if err := f.StartContainer(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"c0": "10.1.0.2", "c1": "10.1.0.10", "c2": "10.1.0.3"}
	for name, ip := range want {
		info, err := f.InspectContainer(ctx, name)
		if err != nil || info.IPs["net"] != ip {
			t.Errorf("%s IPs = %v, %v; want %s", name, info.IPs, err, ip)
		}
	}
	// A removed container's address is handed out again.
	if err := f.RemoveContainer(ctx, "c0"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, f, runtime.ContainerSpec{Name: "c4", Image: img, Network: "net"})
	if err := f.StartContainer(ctx, "c4"); err != nil {
		t.Fatal(err)
	}
	if info, _ := f.InspectContainer(ctx, "c4"); info.IPs["net"] != "10.1.0.2" {
		t.Errorf("reused address = %v, want 10.1.0.2", info.IPs)
	}
	// A network with running containers cannot go.
	if err := f.RemoveNetwork(ctx, "net"); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("remove busy network: %v, want ErrConflict", err)
	}
}

func TestDefaultNetworkRefusesFixedAddress(t *testing.T) {
	f := New()
	f.ImageRefs[img] = true
	ctx := context.Background()
	if _, err := f.CreateNetwork(ctx, runtime.NetworkSpec{Name: "auto"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateContainer(ctx, runtime.ContainerSpec{Name: "c", Image: img, Network: "auto", IPv4: "10.99.0.5"}); err == nil {
		t.Error("fixed address on a network without a user subnet accepted (Docker refuses it)")
	}
}

func TestContainerLifecycle(t *testing.T) {
	f, ctx := newWithNetwork(t)
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Now = func() time.Time { return clock }
	spec := runtime.ContainerSpec{Name: "demo-0", Image: img, Network: "net", Aliases: []string{"demo"}, Labels: owner("/demo"),
		Mounts: []runtime.Mount{{Volume: "demo-data", Target: "/var/lib/postgresql"}}, NanoCPUs: 1e9, MemoryByte: 1 << 30}
	id := mustCreate(t, f, spec)
	if again := mustCreate(t, f, spec); again != id {
		t.Errorf("re-create id %s, want %s", again, id)
	}
	foreign := spec
	foreign.Labels = owner("/someone-else")
	if _, err := f.CreateContainer(ctx, foreign); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("foreign re-create: %v, want ErrConflict", err)
	}

	info, err := f.InspectContainer(ctx, "demo-0")
	if err != nil || info.Status != "created" || info.Running || info.IPs["net"] != "" || info.ID != id {
		t.Errorf("created: %+v, %v", info, err)
	}
	if _, ok := info.IPs["net"]; !ok {
		t.Error("IPs must list the attached network even before start")
	}
	if _, err := f.Exec(ctx, "demo-0", "", []string{"true"}, nil); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("exec in created container: %v, want ErrConflict", err)
	}
	steps := []struct {
		name   string
		do     func() error
		status string
		run    bool
		paused bool
		code   int
	}{
		{"start", func() error { return f.StartContainer(ctx, "demo-0") }, "running", true, false, 0},
		{"start again", func() error { return f.StartContainer(ctx, "demo-0") }, "running", true, false, 0},
		{"pause", func() error { return f.PauseContainer(ctx, "demo-0") }, "paused", true, true, 0},
		{"unpause", func() error { return f.UnpauseContainer(ctx, "demo-0") }, "running", true, false, 0},
		{"reload signal", func() error { return f.KillContainer(ctx, "demo-0", "SIGHUP") }, "running", true, false, 0},
		{"kill", func() error { return f.KillContainer(ctx, "demo-0", "") }, "exited", false, false, 137},
		{"restart", func() error { return f.StartContainer(ctx, "demo-0") }, "running", true, false, 0},
		{"stop", func() error { return f.StopContainer(ctx, "demo-0", time.Second) }, "exited", false, false, 0},
		{"stop again", func() error { return f.StopContainer(ctx, "demo-0", time.Second) }, "exited", false, false, 0},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		info, err := f.InspectContainer(ctx, id)
		if err != nil || info.Status != s.status || info.Running != s.run || info.Paused != s.paused || info.ExitCode != s.code {
			t.Fatalf("after %s: %+v, %v; want %s running=%v paused=%v code=%d", s.name, info, err, s.status, s.run, s.paused, s.code)
		}
		if s.run && (info.IPs["net"] != "10.1.0.2" || !info.StartedAt.Equal(clock)) {
			t.Errorf("after %s: IPs %v StartedAt %v", s.name, info.IPs, info.StartedAt)
		}
	}
	for _, bad := range []struct {
		name string
		err  error
	}{
		{"kill stopped", f.KillContainer(ctx, "demo-0", "SIGKILL")},
		{"pause stopped", f.PauseContainer(ctx, "demo-0")},
		{"unpause stopped", f.UnpauseContainer(ctx, "demo-0")},
		{"remove mounted volume", f.RemoveVolume(ctx, "demo-data")},
	} {
		if !errors.Is(bad.err, runtime.ErrConflict) {
			t.Errorf("%s: %v, want ErrConflict", bad.name, bad.err)
		}
	}
	if got, ok := f.Aliases("demo-0", "net"); !ok || !slices.Equal(got, []string{"demo"}) {
		t.Errorf("aliases = %v, %v", got, ok)
	}
	for range 2 {
		if err := f.RemoveContainer(ctx, "demo-0"); err != nil {
			t.Fatalf("RemoveContainer: %v", err)
		}
	}
	if _, err := f.InspectContainer(ctx, "demo-0"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("inspect removed: %v, want ErrNotFound", err)
	}
	if err := f.RemoveVolume(ctx, "demo-data"); err != nil {
		t.Errorf("remove freed volume: %v", err)
	}
}

func TestCreateContainerNeedsImageAndNetwork(t *testing.T) {
	f, ctx := newWithNetwork(t)
	tests := []struct {
		name string
		spec runtime.ContainerSpec
	}{
		{"missing image", runtime.ContainerSpec{Name: "x", Image: "nope", Network: "net"}},
		{"missing network", runtime.ContainerSpec{Name: "x", Image: img, Network: "nope"}},
	}
	for _, tc := range tests {
		if _, err := f.CreateContainer(ctx, tc.spec); !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", tc.name, err)
		}
	}
	missing := "ghost"
	for name, err := range map[string]error{
		"StartContainer":  f.StartContainer(ctx, missing),
		"StopContainer":   f.StopContainer(ctx, missing, time.Second),
		"CopyFiles":       f.CopyFiles(ctx, missing, []runtime.File{{Path: "/x"}}),
		"UpdateResources": f.UpdateResources(ctx, missing, 1, 1),
		"Logs":            f.Logs(ctx, missing, 0, false, io.Discard),
		"ConnectNetwork":  f.ConnectNetwork(ctx, "net", missing, nil, ""),
	} {
		if !errors.Is(err, runtime.ErrNotFound) {
			t.Errorf("%s on missing container: %v, want ErrNotFound", name, err)
		}
	}
}

func TestStartAfterNetworkRemoved(t *testing.T) {
	f, ctx := newWithNetwork(t)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img, Network: "net"})
	if err := f.RemoveNetwork(ctx, "net"); err != nil {
		t.Fatalf("remove network with only a created container: %v", err)
	}
	if err := f.StartContainer(ctx, "c"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("start with removed network: %v, want ErrNotFound", err)
	}
}

func TestConnectDisconnect(t *testing.T) {
	f, ctx := newWithNetwork(t)
	if _, err := f.CreateNetwork(ctx, runtime.NetworkSpec{Name: "mgmt", Subnet: "10.2.0.0/24"}); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img, Network: "net"})
	for range 2 { // the second connect is a no-op
		if err := f.ConnectNetwork(ctx, "mgmt", "c", []string{"c.mgmt"}, "10.2.0.7"); err != nil {
			t.Fatalf("ConnectNetwork: %v", err)
		}
	}
	if err := f.StartContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	info, _ := f.InspectContainer(ctx, "c")
	if info.IPs["mgmt"] != "10.2.0.7" || info.IPs["net"] != "10.1.0.2" {
		t.Errorf("IPs = %v", info.IPs)
	}
	for range 2 { // disconnecting twice is fine
		if err := f.DisconnectNetwork(ctx, "mgmt", "c"); err != nil {
			t.Fatalf("DisconnectNetwork: %v", err)
		}
	}
	if info, _ := f.InspectContainer(ctx, "c"); len(info.IPs) != 1 {
		t.Errorf("after disconnect IPs = %v", info.IPs)
	}
	if err := f.DisconnectNetwork(ctx, "nope", "c"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("disconnect from missing network: %v", err)
	}
}

func TestVolumes(t *testing.T) {
	f := New()
	ctx := context.Background()
	if err := f.CreateVolume(ctx, runtime.VolumeSpec{Name: "v", Labels: owner("/s")}); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateVolume(ctx, runtime.VolumeSpec{Name: "v", Labels: owner("/s")}); err != nil {
		t.Errorf("re-create: %v", err)
	}
	if err := f.CreateVolume(ctx, runtime.VolumeSpec{Name: "v", Labels: owner("/t")}); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("foreign re-create: %v, want ErrConflict", err)
	}
	for range 2 {
		if err := f.RemoveVolume(ctx, "v"); err != nil {
			t.Fatalf("RemoveVolume: %v", err)
		}
	}
}

func TestFilesAndUpdate(t *testing.T) {
	f, ctx := newWithNetwork(t)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img, NanoCPUs: 2e9, MemoryByte: 1 << 30})
	content := []byte("ssl = on\n")
	err := f.CopyFiles(ctx, "c", []runtime.File{{Path: "/etc/pg//pg.conf", Mode: 0o600, UID: 999, Content: content}})
	if err != nil {
		t.Fatal(err)
	}
	content[0] = 'X' // the fake must hold its own copy
	if got, ok := f.File("c", "/etc/pg/pg.conf"); !ok || string(got) != "ssl = on\n" {
		t.Errorf("File = %q, %v", got, ok)
	}
	if e, ok := f.FileEntry("c", "/etc/pg/pg.conf"); !ok || e.Mode != 0o600 || e.UID != 999 {
		t.Errorf("FileEntry = %+v, %v", e, ok)
	}
	if _, ok := f.File("c", "/etc/other"); ok {
		t.Error("File found a file never copied")
	}
	if err := f.CopyFiles(ctx, "c", []runtime.File{{Path: "relative"}}); err == nil {
		t.Error("relative path accepted")
	}
	if err := f.UpdateResources(ctx, "c", 1e9, 0); err != nil {
		t.Fatal(err)
	}
	if info, _ := f.InspectContainer(ctx, "c"); info.NanoCPUs != 1e9 || info.MemoryByte != 1<<30 {
		t.Errorf("after update: cpu %d mem %d; 0 must leave memory unchanged", info.NanoCPUs, info.MemoryByte)
	}
}

func TestExecHookAndLogs(t *testing.T) {
	f, ctx := newWithNetwork(t)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img})
	if err := f.StartContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	res, err := f.Exec(ctx, "c", "postgres", []string{"psql", "-c", "select 1"}, nil)
	if err != nil || res.ExitCode != 0 || len(res.Stdout) != 0 {
		t.Errorf("default exec = %+v, %v", res, err)
	}
	f.OnExec = func(container string, cmd []string) (runtime.ExecResult, error) {
		// The hook runs without the lock: calling back into the fake must not deadlock.
		if _, err := f.InspectContainer(ctx, container); err != nil {
			return runtime.ExecResult{}, err
		}
		return runtime.ExecResult{ExitCode: 3, Stdout: []byte(container + ":" + strings.Join(cmd, " "))}, nil
	}
	res, err = f.Exec(ctx, "c", "", []string{"pg_ctl", "promote"}, nil)
	if err != nil || res.ExitCode != 3 || string(res.Stdout) != "c:pg_ctl promote" {
		t.Errorf("hooked exec = %+v, %v", res, err)
	}

	f.SetLogs("c", []byte("one\ntwo\nthree\n"))
	for _, tc := range []struct {
		tail int
		want string
	}{{0, "one\ntwo\nthree\n"}, {2, "two\nthree\n"}, {9, "one\ntwo\nthree\n"}} {
		var buf bytes.Buffer
		if err := f.Logs(ctx, "c", tc.tail, false, &buf); err != nil || buf.String() != tc.want {
			t.Errorf("Logs tail %d = %q, %v; want %q", tc.tail, buf.String(), err, tc.want)
		}
	}
}

func TestExitSimulatesCrash(t *testing.T) {
	f, ctx := newWithNetwork(t)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img})
	mustCreate(t, f, runtime.ContainerSpec{Name: "auto", Image: img, AutoRemove: true})
	for _, n := range []string{"c", "auto"} {
		if err := f.StartContainer(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if !f.Exit("c", 1) || !f.Exit("auto", 0) {
		t.Fatal("Exit on running containers reported false")
	}
	if info, _ := f.InspectContainer(ctx, "c"); info.Running || info.ExitCode != 1 || info.Status != "exited" {
		t.Errorf("after crash: %+v", info)
	}
	if _, err := f.InspectContainer(ctx, "auto"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("auto-remove container after exit: %v, want ErrNotFound", err)
	}
	if f.Exit("c", 1) {
		t.Error("Exit on a stopped container reported true")
	}
}

func TestRun(t *testing.T) {
	f, ctx := newWithNetwork(t)
	if code, err := f.Run(ctx, runtime.ContainerSpec{Image: "nope"}, nil, nil, nil); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Run with missing image = %d, %v", code, err)
	}
	f.OnRun = func(spec runtime.ContainerSpec, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
		in, _ := io.ReadAll(stdin)
		fmt.Fprintf(stdout, "%s got %s", spec.Name, in)
		return 4, nil
	}
	var out bytes.Buffer
	code, err := f.Run(ctx, runtime.ContainerSpec{Name: "job", Image: img, Network: "net"}, strings.NewReader("input"), &out, nil)
	if err != nil || code != 4 || out.String() != "job got input" {
		t.Errorf("Run = %d, %q, %v", code, out.String(), err)
	}
	if objs, _ := f.List(ctx, nil); len(objs) != 1 { // only the network
		t.Errorf("Run left objects: %+v", objs)
	}
	f.OnRun = nil
	if _, err := f.Run(ctx, runtime.ContainerSpec{Name: "alone", Image: img, Network: runtime.NoNetwork}, nil, nil, nil); err != nil {
		t.Errorf("Run with no network: %v", err)
	}
	if _, err := f.Run(ctx, runtime.ContainerSpec{Name: "lost", Image: img, Network: "missing"}, nil, nil, nil); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Run on a missing network: %v, want ErrNotFound", err)
	}
}

func TestFailNextAndCalls(t *testing.T) {
	f, ctx := newWithNetwork(t)
	boom := errors.New("boom")
	f.FailNext("CreateContainer", boom)
	f.ResetCalls()
	spec := runtime.ContainerSpec{Name: "demo-0", Image: img}
	if _, err := f.CreateContainer(ctx, spec); !errors.Is(err, boom) {
		t.Fatalf("first create: %v, want injected error", err)
	}
	if _, ok := f.Spec("demo-0"); ok {
		t.Error("a failed call must not change state")
	}
	mustCreate(t, f, spec) // the fault fired once
	if got, ok := f.Spec("demo-0"); !ok || got.Image != img {
		t.Errorf("Spec = %+v, %v", got, ok)
	}
	if err := f.StartContainer(ctx, "demo-0"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Exec(ctx, "demo-0", "", []string{"pg_ctl", "promote"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.ConnectNetwork(ctx, "net", "demo-0", nil, ""); err != nil {
		t.Fatal(err)
	}
	want := []string{"CreateContainer demo-0", "CreateContainer demo-0", "StartContainer demo-0",
		"Exec demo-0 pg_ctl promote", "ConnectNetwork net demo-0"}
	if got := f.Calls(); !slices.Equal(got, want) {
		t.Errorf("Calls = %q, want %q", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("FailNext with an unknown method must panic")
		}
	}()
	f.FailNext("StartContainers", boom)
}

func TestCancelledContext(t *testing.T) {
	f := New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with cancelled ctx: %v", err)
	}
}

func TestList(t *testing.T) {
	f, ctx := newWithNetwork(t)
	test := runtime.Labels{runtime.LabelTest: "t1"}
	_ = f.CreateVolume(ctx, runtime.VolumeSpec{Name: "v", Labels: runtime.Labels{runtime.LabelTest: "t1", "x": "y"}})
	_ = f.CreateVolume(ctx, runtime.VolumeSpec{Name: "other", Labels: runtime.Labels{runtime.LabelTest: "t2"}})
	mustCreate(t, f, runtime.ContainerSpec{Name: "b", Image: img, Labels: test})
	mustCreate(t, f, runtime.ContainerSpec{Name: "a", Image: img, Labels: test})
	got, err := f.List(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range got {
		names = append(names, string(o.Kind)+":"+o.Name)
	}
	if want := []string{"container:a", "container:b", "volume:v"}; !slices.Equal(names, want) {
		t.Errorf("List = %v, want %v", names, want)
	}
	if got, _ := f.List(ctx, runtime.Labels{runtime.LabelTest: "t1", "x": "y"}); len(got) != 1 || got[0].Name != "v" {
		t.Errorf("List with two labels = %+v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	f, ctx := newWithNetwork(t)
	const workers = 16
	ids := make([]string, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(2)
		go func() { // all create the same container: one wins, all get its ID
			defer wg.Done()
			id, err := f.CreateContainer(ctx, runtime.ContainerSpec{Name: "shared", Image: img, Labels: owner("/s")})
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		}()
		go func() { // each creates and starts its own: addresses never collide
			defer wg.Done()
			name := fmt.Sprintf("w%d", i)
			if _, err := f.CreateContainer(ctx, runtime.ContainerSpec{Name: name, Image: img, Network: "net"}); err != nil {
				t.Error(err)
				return
			}
			if err := f.StartContainer(ctx, name); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range workers {
		if ids[i] != ids[0] || ids[i] == "" {
			t.Fatalf("shared create ids differ: %v", ids)
		}
		info, err := f.InspectContainer(ctx, fmt.Sprintf("w%d", i))
		if err != nil || seen[info.IPs["net"]] {
			t.Fatalf("w%d: %+v, %v (duplicate address?)", i, info.IPs, err)
		}
		seen[info.IPs["net"]] = true
	}
}
