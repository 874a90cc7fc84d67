package local

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// fakeCloud answers health (and, for a new enough build, the running operations) like a cloud of build.
type fakeCloud struct {
	build   string
	running []model.Operation
	// old clouds have no GET /v1/operations; they only count running operations in their status.
	old bool
}

func (f fakeCloud) serve(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(model.Health{CloudID: "cloud-1", Version: "dev", Build: f.build})
	})
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(model.Status{CloudID: "cloud-1", RunningOperations: len(f.running)})
	})
	if !f.old {
		mux.HandleFunc("GET /v1/operations", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("status") != model.OperationRunning || r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "want ?status=Running with the token", http.StatusBadRequest)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string][]model.Operation{"value": f.running})
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// recorder stands in for the processes: it records stop and start and answers start with a new cloud.
// Ensure calls them in its own goroutine, so it needs no lock.
type recorder struct {
	stopped  []Info
	started  []string // addresses
	warnings []string
}

func (r *recorder) options(t *testing.T, home, build string) Options {
	return Options{
		Home: home, Addr: "127.0.0.1:1", Build: build,
		Progress: func(string) {},
		Warn:     func(msg string) { r.warnings = append(r.warnings, msg) },
		stop: func(ctx context.Context, info Info) error {
			r.stopped = append(r.stopped, info)
			return nil
		},
		start: func(ctx context.Context, h, addr string) (Info, error) {
			if h != home {
				t.Errorf("started in home %s, want %s", h, home)
			}
			r.started = append(r.started, addr)
			return Info{Endpoint: "http://" + addr, CloudID: "cloud-1", Token: "tok2", PID: 2, Build: build}, nil
		},
	}
}

// homeWith writes the info file of a cloud answering at srv.
func homeWith(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	home := t.TempDir()
	if err := WriteInfo(home, Info{Endpoint: srv.URL, Token: "tok", CloudID: "cloud-1", PID: 1}); err != nil {
		t.Fatal(err)
	}
	return home
}

// ensureWith runs Ensure as build on a home whose cloud is f, with the processes recorded.
func ensureWith(t *testing.T, f fakeCloud, build string) (*httptest.Server, *recorder, Info, error) {
	t.Helper()
	srv := f.serve(t)
	r := &recorder{}
	info, err := Ensure(context.Background(), r.options(t, homeWith(t, srv), build))
	return srv, r, info, err
}

func TestSkewSameBuildReuses(t *testing.T) {
	srv, r, info, err := ensureWith(t, fakeCloud{build: "dev+aaaa"}, "dev+aaaa")
	if err != nil {
		t.Fatal(err)
	}
	if info.Endpoint != srv.URL || info.Build != "dev+aaaa" || info.Token != "tok" {
		t.Fatalf("info = %+v", info)
	}
	if len(r.stopped)+len(r.started)+len(r.warnings) != 0 {
		t.Fatalf("a cloud of the same build was touched: %+v", r)
	}
}

func TestSkewDifferentBuildIdleRestarts(t *testing.T) {
	srv, r, info, err := ensureWith(t, fakeCloud{build: "dev+aaaa"}, "dev+bbbb")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.stopped) != 1 || r.stopped[0].PID != 1 || r.stopped[0].Endpoint != srv.URL {
		t.Fatalf("stopped %+v, want the old cloud once", r.stopped)
	}
	// The new cloud listens where the old one did, not at the default address.
	if want := strings.TrimPrefix(srv.URL, "http://"); len(r.started) != 1 || r.started[0] != want {
		t.Fatalf("started at %v, want [%s]", r.started, want)
	}
	if info.Token != "tok2" || info.Build != "dev+bbbb" {
		t.Fatalf("Ensure returned %+v, not the new cloud", info)
	}
	if len(r.warnings) != 1 || !strings.Contains(r.warnings[0], "started by build dev+aaaa; this binary is build dev+bbbb") ||
		!strings.Contains(r.warnings[0], "restarting it from this binary") {
		t.Fatalf("warnings %q", r.warnings)
	}
}

func TestSkewDifferentBuildBusyRefuses(t *testing.T) {
	running := []model.Operation{
		{ID: "op-1", Kind: "server.create", ResourceID: "/flexibleServers/db1", Status: model.OperationRunning, Step: "wait-ready"},
		{ID: "op-2", Kind: "server.scale", ResourceID: "/flexibleServers/db2", Status: model.OperationRunning},
	}
	_, r, _, err := ensureWith(t, fakeCloud{build: "dev+aaaa", running: running}, "dev+bbbb")
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("err = %v, want a *BusyError", err)
	}
	if busy.Count != 2 || len(busy.Running) != 2 || busy.Skew.Cloud != "dev+aaaa" || busy.Skew.Self != "dev+bbbb" {
		t.Fatalf("busy = %+v", busy)
	}
	for _, want := range []string{"server.create of /flexibleServers/db1 (operation op-1, step wait-ready)",
		"server.scale of /flexibleServers/db2 (operation op-2)", "Wait for them to finish and retry",
		"`terraform-provider-flexpg cloud down`", "`terraform-provider-flexpg cloud up`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if len(r.stopped)+len(r.started) != 0 {
		t.Fatalf("a busy cloud was restarted: %+v", r)
	}
}

// A cloud from before builds and the operations list: it reports no build (so it differs) and is restarted
// when its status counts no running operation, refused when it counts some.
func TestSkewOldCloud(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		_, r, _, err := ensureWith(t, fakeCloud{old: true}, "dev+bbbb")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.stopped) != 1 || len(r.started) != 1 {
			t.Fatalf("not restarted: %+v", r)
		}
		if !strings.Contains(r.warnings[0], "an older build that does not report its identity") {
			t.Fatalf("warning %q", r.warnings[0])
		}
	})
	t.Run("busy", func(t *testing.T) {
		_, r, _, err := ensureWith(t, fakeCloud{old: true, running: make([]model.Operation, 3)}, "dev+bbbb")
		var busy *BusyError
		if !errors.As(err, &busy) || busy.Count != 3 || len(busy.Running) != 0 {
			t.Fatalf("err = %v (%+v), want a *BusyError counting 3", err, busy)
		}
		if len(r.stopped)+len(r.started) != 0 {
			t.Fatalf("a busy cloud was restarted: %+v", r)
		}
	})
}

func TestSkewExplicitEndpointNeverRestarted(t *testing.T) {
	srv := fakeCloud{build: "dev+aaaa"}.serve(t)
	home := homeWith(t, srv) // even when it is the very cloud of the local home
	var r recorder
	o := r.options(t, home, "dev+bbbb")
	o.Endpoint, o.Token = srv.URL, "mine"
	info, err := Ensure(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if info.Endpoint != srv.URL || info.Token != "mine" || info.Build != "dev+aaaa" {
		t.Fatalf("info = %+v", info)
	}
	if len(r.stopped)+len(r.started) != 0 {
		t.Fatalf("an explicit endpoint was restarted: %+v", r)
	}
	if len(r.warnings) != 1 || !strings.Contains(r.warnings[0], "runs build dev+aaaa; this binary is build dev+bbbb") {
		t.Fatalf("warnings %q", r.warnings)
	}
}

// An explicit endpoint that does not answer is no error of Ensure: the first real call reports it.
func TestLocalExplicitEndpointDown(t *testing.T) {
	srv := fakeCloud{}.serve(t)
	srv.Close()
	var r recorder
	o := r.options(t, t.TempDir(), "dev+bbbb")
	o.Endpoint = srv.URL
	info, err := Ensure(context.Background(), o)
	if err != nil || info.Endpoint != srv.URL {
		t.Fatalf("Ensure = %+v, %v", info, err)
	}
	if len(r.stopped)+len(r.started)+len(r.warnings) != 0 {
		t.Fatalf("recorder %+v", r)
	}
}

func TestLocalNoCloudStarts(t *testing.T) {
	home := t.TempDir()
	var r recorder
	info, err := Ensure(context.Background(), r.options(t, home, "dev+bbbb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.stopped) != 0 || len(r.started) != 1 || r.started[0] != "127.0.0.1:1" || info.Build != "dev+bbbb" {
		t.Fatalf("recorder %+v, info %+v", r, info)
	}
}

// Two processes never start or restart the cloud of one home at once.
func TestLocalLockSerialises(t *testing.T) {
	home := t.TempDir()
	unlock, err := lockHome(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := lockHome(ctx, home); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while held: %v", err)
	}
	unlock()
	again, err := lockHome(context.Background(), home)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}

// Stop signals the process and returns once it is gone; a process that is gone already is ErrNotRunning.
func TestLocalStop(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }() // reap it, as init reaps a detached cloud
	if err := Stop(context.Background(), Info{PID: cmd.Process.Pid}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop returned but the process still runs")
	}
	if err := Stop(context.Background(), Info{PID: cmd.Process.Pid}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Stop of a stopped process: %v", err)
	}
	for _, pid := range []int{0, -1} { // a broken info file must not make Stop signal a process group
		if err := Stop(context.Background(), Info{PID: pid}); err == nil || errors.Is(err, ErrNotRunning) {
			t.Fatalf("Stop of pid %d: %v", pid, err)
		}
	}
}
