package controller

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// putConfiguration submits a parameter change as the API does (holding the server) and waits for it.
func (h *harness) putConfiguration(server, name, value string) store.Operation {
	h.t.Helper()
	return h.waitOp(h.submitConfiguration(server, name, value).ID)
}

func (h *harness) submitConfiguration(server, name, value string) store.Operation {
	h.t.Helper()
	return h.submit(KindConfigurationPut, server, ConfigurationPayload{Name: name, Value: value},
		func(tx *store.Tx, op *store.Operation) error {
			return updateServer(tx, server, func(s *store.Server) { s.ActiveOp, s.Phase = op.ID, store.PhaseUpdating })
		})
}

func (h *harness) conf(server string) string {
	h.t.Helper()
	s, err := h.server(server)
	if err != nil {
		h.t.Fatal(err)
	}
	conf, _ := h.rt.File(primary(s).Container, "/etc/flexpg/postgresql.conf")
	return string(conf)
}

func (h *harness) override(server, name string) (store.Configuration, error) {
	var c store.Configuration
	err := h.store.View(func(tx *store.Tx) error { var err error; c, err = tx.GetConfiguration(server, name); return err })
	return c, err
}

// refuseStart makes PostgreSQL in the fake exit at start, with line in its log, whenever postgresql.conf
// contains bad: as the real one does when it cannot map its shared memory.
func (h *harness) refuseStart(server, bad, line string) {
	s, _ := h.server(server)
	h.pg.mu.Lock()
	defer h.pg.mu.Unlock()
	h.pg.onConnect = func(ctx context.Context) error {
		if !strings.Contains(h.conf(server), bad) {
			return nil
		}
		h.rt.SetLogs(primary(s).Container, []byte("2026-12-01 22:34:54 UTC-1.1-LOG:  database system is shut down\n"+
			"2026-12-01 22:34:55 UTC-2.2-"+line+"\n2026-12-01 22:34:55 UTC-2.2-LOG:  database system is shut down\n"))
		h.rt.Exit(primary(s).Container, 1)
		<-ctx.Done() // the management connection keeps retrying until the wait gives up
		return ctx.Err()
	}
}

func stepNames(op store.Operation) string {
	var names []string
	for _, s := range op.Steps {
		name := s.Name
		if s.RollingBack {
			name = "rollback:" + name
		}
		names = append(names, name+"="+s.Outcome)
	}
	return strings.Join(names, " ")
}

// TestConfigurationStartFailureRollsBack: a static value PostgreSQL cannot start with is rolled back: the
// previous override is back in the store and the file, the server runs again and is Ready, and the
// operation fails naming the parameter and quoting PostgreSQL, without waiting out the ready timeout.
func TestConfigurationStartFailureRollsBack(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	if op := h.putConfiguration("demo", "max_locks_per_transaction", "128"); op.Status != model.OperationSucceeded {
		t.Fatalf("first change: %+v", op.Error)
	}
	const fatal = "FATAL:  could not map anonymous shared memory: Cannot allocate memory"
	h.refuseStart("demo", "max_locks_per_transaction = '8388608'", fatal)

	op := h.putConfiguration("demo", "max_locks_per_transaction", "8388608")
	if op.Status != model.OperationFailed || op.Error == nil {
		t.Fatalf("op %+v", op)
	}
	e := op.Error
	if e.Code != model.CodeInvalidParameter || e.Field != "value" ||
		!strings.Contains(e.Message, `max_locks_per_transaction = "8388608" was rolled back`) || !strings.Contains(e.Message, fatal) {
		t.Fatalf("error %+v", e)
	}
	if got := stepNames(op); got != "record=ok check=ok restart=failed rollback:restore=ok rollback:reapply=ok" {
		t.Fatalf("steps %s", got)
	}
	for _, s := range op.Steps {
		if s.Name == "restart" && time.Duration(s.DurationMS*float64(time.Millisecond)) >= h.ctl.cfg.ReadyTimeout {
			t.Errorf("the failed start took %v: the exit was not noticed before the ready timeout", s.DurationMS)
		}
	}
	if c, err := h.override("demo", "max_locks_per_transaction"); err != nil || c.Value != "128" || c.Pending {
		t.Fatalf("override after rollback: %+v %v, want 128", c, err)
	}
	if conf := h.conf("demo"); !strings.Contains(conf, "max_locks_per_transaction = '128'") {
		t.Fatalf("postgresql.conf after rollback:\n%s", conf)
	}
	s, _ := h.server("demo")
	info, _ := h.rt.InspectContainer(context.Background(), primary(s).Container)
	if !info.Running || s.Phase != store.PhaseReady || s.ActiveOp != "" {
		t.Fatalf("after rollback: phase %s active %q running %v", s.Phase, s.ActiveOp, info.Running)
	}
}

// TestConfigurationCheckRefusesBeforeApplying: PostgreSQL's own check of the file (postgres -C) refuses a
// time zone that does not exist; the change never reaches a reload, the previous value is back, and the
// error quotes PostgreSQL's lines.
func TestConfigurationCheckRefusesBeforeApplying(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	s, _ := h.server("demo")
	h.rt.OnExec = func(container string, cmd []string) (runtime.ExecResult, error) {
		if !strings.Contains(h.conf("demo"), "timezone = 'Mars/Olympus'") {
			return runtime.ExecResult{}, nil
		}
		return runtime.ExecResult{ExitCode: 1, Stderr: []byte(`LOG:  invalid value for parameter "TimeZone": "Mars/Olympus"
FATAL:  configuration file "/etc/flexpg/postgresql.conf" contains errors
`)}, nil
	}
	if op := h.putConfiguration("demo", "TimeZone", "Europe/Paris"); op.Status != model.OperationSucceeded {
		t.Fatalf("valid zone: %+v", op.Error)
	}
	h.pg.mu.Lock()
	h.pg.calls = nil
	h.pg.mu.Unlock()

	op := h.putConfiguration("demo", "TimeZone", "Mars/Olympus")
	if op.Status != model.OperationFailed || op.Error == nil || op.Error.Field != "value" ||
		!strings.Contains(op.Error.Message, `TimeZone = "Mars/Olympus" was rolled back: PostgreSQL refuses the configuration file`) ||
		!strings.Contains(op.Error.Message, `LOG:  invalid value for parameter "TimeZone": "Mars/Olympus"`) {
		t.Fatalf("op %+v error %+v", op, op.Error)
	}
	if got := stepNames(op); got != "record=ok check=failed rollback:restore=ok rollback:reapply=ok" {
		t.Fatalf("steps %s", got)
	}
	if c, err := h.override("demo", "TimeZone"); err != nil || c.Value != "Europe/Paris" {
		t.Fatalf("override after rollback: %+v %v", c, err)
	}
	if conf := h.conf("demo"); !strings.Contains(conf, "timezone = 'Europe/Paris'") {
		t.Fatalf("postgresql.conf after rollback:\n%s", conf)
	}
	// The only reload is the rollback's, of the restored file; the bad one was never loaded.
	if calls := strings.Join(h.pg.Calls(), ","); strings.Count(calls, "reload") != 1 {
		t.Fatalf("management calls %s", calls)
	}
	var checked bool
	for _, call := range h.rt.Calls() {
		checked = checked || call == "Exec "+primary(s).Container+" postgres -C data_directory -c config_file=/etc/flexpg/postgresql.conf"
	}
	if !checked {
		t.Fatalf("PostgreSQL never checked the file: %v", h.rt.Calls())
	}
	if s, _ := h.server("demo"); s.Phase != store.PhaseReady {
		t.Fatalf("phase %s", s.Phase)
	}
}

// TestConfigurationRollbackAfterCrash: the cloud stops while a static change restarts the server; the
// resumed operation fails to start PostgreSQL and restores the value from before the change, which the
// record step kept in the operation (the store holds the new value by then).
func TestConfigurationRollbackAfterCrash(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	if op := h.putConfiguration("demo", "max_connections", "60"); op.Status != model.OperationSucceeded {
		t.Fatalf("first change: %+v", op.Error)
	}
	h.pg.mu.Lock()
	h.pg.block = true
	h.pg.mu.Unlock()
	id := h.submitConfiguration("demo", "max_connections", "4000").ID
	h.waitStep(id, "restart")
	h.ctl.Close()
	if c, _ := h.override("demo", "max_connections"); c.Value != "4000" {
		t.Fatalf("stored value while restarting: %+v", c)
	}
	h.pg.mu.Lock()
	h.pg.block = false
	h.pg.mu.Unlock()
	h.refuseStart("demo", "max_connections = '4000'", "FATAL:  could not create semaphores: No space left on device")
	h.start()
	op := h.waitOp(id)
	if op.Status != model.OperationFailed || !strings.Contains(op.Error.Message, "could not create semaphores") {
		t.Fatalf("resumed op %+v %+v", op, op.Error)
	}
	if c, err := h.override("demo", "max_connections"); err != nil || c.Value != "60" {
		t.Fatalf("override after rollback: %+v %v, want 60", c, err)
	}
}

// TestConfigurationResetRollsBackToOverride: a reset whose default PostgreSQL refuses leaves the override.
func TestConfigurationResetRollsBackToOverride(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	if op := h.putConfiguration("demo", "max_connections", "60"); op.Status != model.OperationSucceeded {
		t.Fatalf("change: %+v", op.Error)
	}
	h.refuseStart("demo", "max_connections = '50'", "FATAL:  could not create semaphores: No space left on device")
	op := h.waitOp(h.submit(KindConfigurationPut, "demo", ConfigurationPayload{Name: "max_connections", Reset: true},
		func(tx *store.Tx, op *store.Operation) error {
			return updateServer(tx, "demo", func(s *store.Server) { s.ActiveOp, s.Phase = op.ID, store.PhaseUpdating })
		}).ID)
	if op.Status != model.OperationFailed || !strings.Contains(op.Error.Message, "max_connections reset to its default was rolled back") {
		t.Fatalf("op %+v %+v", op, op.Error)
	}
	if c, err := h.override("demo", "max_connections"); err != nil || c.Value != "60" {
		t.Fatalf("override after rollback: %+v %v", c, err)
	}
}

func TestRejectionMessage(t *testing.T) {
	cases := []struct {
		p    ConfigurationPayload
		said string
		code int
		want string
	}{
		{ConfigurationPayload{Name: "shared_buffers", Value: "1073741823"}, "FATAL:  could not map anonymous shared memory: Cannot allocate memory", 1,
			`value shared_buffers = "1073741823" was rolled back: PostgreSQL did not start with it, so the server runs with its previous settings. ` +
				`PostgreSQL said: FATAL:  could not map anonymous shared memory: Cannot allocate memory`},
		{ConfigurationPayload{Name: "max_connections", Value: "5000"}, "", 137,
			`value max_connections = "5000" was rolled back: PostgreSQL did not start with it, so the server runs with its previous settings. ` +
				`PostgreSQL said: nothing (it exited with code 137; it may have been killed for memory)`},
		{ConfigurationPayload{Name: "max_connections", Reset: true}, "FATAL:  x", 1,
			`value max_connections reset to its default was rolled back: PostgreSQL did not start with it, so the server runs with its previous settings. PostgreSQL said: FATAL:  x`},
	}
	for _, c := range cases {
		if got := rejectionMessage(c.p, "PostgreSQL did not start with it", c.said, c.code); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	var oe *OpError
	if err := rejectedByStart(ConfigurationPayload{Name: "a"}, errors.New("docker gone")); errors.As(err, &oe) {
		t.Errorf("an engine failure became a user error: %v", err)
	}
	if err := rejectedByStart(ConfigurationPayload{Name: "a"}, &startFailure{exitCode: 1, reason: "FATAL:  x"}); !errors.As(err, &oe) || oe.Field != "value" {
		t.Errorf("a start failure is not the user's error: %v", err)
	}
}
