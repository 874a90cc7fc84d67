package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

// fakeCloud serves answers (a document for each path) as the cloud's API would, 404 for any other path, and
// points the CLI at it for the rest of the test.
func fakeCloud(t *testing.T, answers map[string]any) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		a, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(model.ErrorResponse{Error: model.Error{Code: model.CodeNotFound, Message: "server x not found"}})
			return
		}
		_ = json.NewEncoder(w).Encode(a)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("FLEXPG_ENDPOINT", srv.URL)
	t.Setenv("FLEXPG_TOKEN", "t")
}

// expectLines runs the CLI with args, which must succeed, and requires each line of want in its output
// (spaces collapsed, so table columns need not be counted).
func expectLines(t *testing.T, args, want []string) {
	t.Helper()
	code, out, errOut := runCLI(args...)
	if code != 0 {
		t.Errorf("%v: exit %d: %s", args, code, errOut)
		return
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		lines[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("%v: no line %q in:\n%s", args, w, out)
		}
	}
}

func TestUsage(t *testing.T) {
	code, out, _ := runCLI("help")
	if code != 0 || !strings.Contains(out, "psql") || !strings.Contains(out, "status") {
		t.Fatalf("help: %d %s", code, out)
	}
	code, _, errOut := runCLI("explode")
	if code != 2 || !strings.Contains(errOut, `unknown command "explode"`) {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
}

func TestBadArguments(t *testing.T) {
	t.Setenv("FLEXPG_ENDPOINT", "http://127.0.0.1:1") // never contacted: argument errors come first
	for _, args := range [][]string{{"server"}, {"server", "show"}, {"server", "show", "a", "b"}, {"images", "push"},
		{"server", "failover", "a"}, {"server", "metrics"}, {"server", "backups"}, {"server", "backups", "a", "b"}, {"server", "endpoints", "a", "b"}, {"server", "failover", "--planned", "--forced", "a"},
		{"fault"}, {"fault", "explode", "a"}, {"fault", "kill"}, {"fault", "zone-down", "westeurope"}} {
		code, _, errOut := runCLI(args...)
		if code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
	code, _, errOut := runCLI("server", "list")
	if code != 1 || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Fatalf("unreachable cloud: %d %s", code, errOut)
	}
}

func TestOneArgAcceptsFlagsAfterTheName(t *testing.T) {
	fs := flags(&env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}, "logs")
	tail := fs.Int("tail", 1, "")
	name, err := oneArg(fs, []string{"demo", "-tail", "7"}, "server name")
	if err != nil || name != "demo" || *tail != 7 {
		t.Fatalf("%q %d %v", name, *tail, err)
	}
}

func TestWriteSteps(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) *time.Time { v := start.Add(time.Duration(ms) * time.Millisecond); return &v }
	op := model.Operation{StartedAt: start, FinishedAt: at(300), Steps: []model.OperationStep{
		{Name: "volume", StartedAt: start, FinishedAt: at(20), DurationMS: 20, Outcome: model.StepOK},
		{Name: "start", StartedAt: *at(20), FinishedAt: at(120), DurationMS: 100, Outcome: model.StepInterrupted},
		{Name: "removeVolume", RollingBack: true, StartedAt: *at(120), FinishedAt: at(290), DurationMS: 170, Outcome: model.StepOK},
	}}
	var b bytes.Buffer
	writeSteps(&b, op)
	for _, want := range []string{"volume", "20.0 ms", "start", "100.0 ms  interrupted", "removeVolume (rollback)", "290.0 ms in steps, 300.0 ms from start to end"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
}
