package controller

import (
	"context"
	"errors"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// recoveryAfter runs one look of the watcher and returns the recover operation it started ("" if none).
func (h *harness) recoveryAfter(name string) string {
	h.t.Helper()
	h.ctl.watchOnce(context.Background())
	s, err := h.server(name)
	if err != nil {
		h.t.Fatal(err)
	}
	return s.ActiveOp
}

func (h *harness) readyServer(name string) store.Server {
	h.t.Helper()
	if op := h.waitOp(h.createServer(name).ID); op.Status != model.OperationSucceeded {
		h.t.Fatalf("create: %+v", op.Error)
	}
	s, _ := h.server(name)
	return s
}

func (h *harness) waitRecovered(name, opID string) {
	h.t.Helper()
	if opID == "" {
		h.t.Fatal("the watcher started no recovery")
	}
	op := h.waitOp(opID)
	if op.Kind != KindServerRecover || op.Status != model.OperationSucceeded {
		h.t.Fatalf("recovery: %s %s %+v", op.Kind, op.Status, op.Error)
	}
	s, _ := h.server(name)
	info, err := h.rt.InspectContainer(context.Background(), primary(s).Container)
	if err != nil || !info.Running || s.Phase != store.PhaseReady {
		h.t.Fatalf("after recovery: phase %s, container %+v, %v", s.Phase, info, err)
	}
}

func TestWatcherRestartsAKilledPrimary(t *testing.T) {
	h := newHarness(t)
	s := h.readyServer("demo")
	if id := h.recoveryAfter("demo"); id != "" {
		t.Fatalf("a healthy server got operation %s", id)
	}
	if err := h.rt.KillContainer(context.Background(), primary(s).Container, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	h.waitRecovered("demo", h.recoveryAfter("demo"))
	if after, _ := h.server("demo"); primary(after).Volume != primary(s).Volume {
		t.Fatalf("recovered on volume %s, want the same volume %s", primary(after).Volume, primary(s).Volume)
	}
}

func TestWatcherRecreatesARemovedContainer(t *testing.T) {
	h := newHarness(t)
	s := h.readyServer("demo")
	if err := h.rt.RemoveContainer(context.Background(), primary(s).Container); err != nil {
		t.Fatal(err)
	}
	h.waitRecovered("demo", h.recoveryAfter("demo"))
}

func TestWatcherConfirmsAHangBeforeActing(t *testing.T) {
	h := newHarness(t)
	h.readyServer("demo")
	h.pg.mu.Lock()
	h.pg.onConnect = func(context.Context) error { return errors.New("no answer") }
	h.pg.mu.Unlock()
	for i := 1; i <= defaultWatchPolicy.Confirm; i++ {
		if id := h.recoveryAfter("demo"); id != "" {
			t.Fatalf("probe %d failed and the watcher acted already (%s): a blip is not an outage", i, id)
		}
	}
	// Enough failed probes, but within a moment: still not sure. A few seconds later it is.
	h.clk.Advance(defaultWatchPolicy.ConfirmFor)
	id := h.recoveryAfter("demo")
	h.pg.mu.Lock()
	h.pg.onConnect = nil
	h.pg.mu.Unlock()
	h.waitRecovered("demo", id)
	if op := h.waitOp(id); !containsStep(op, "fence") {
		t.Fatalf("steps %+v: the hung primary was not fenced", op.Steps)
	}
	if killed := h.rt.Calls(); !containsPrefix(killed, "KillContainer") {
		t.Fatalf("the hung container was not killed: %v", killed)
	}
}

func TestWatcherLeavesStoppedAndHeldServersAlone(t *testing.T) {
	for _, s := range []store.Server{
		{Phase: store.PhaseStopped, Spec: model.Server{State: store.PhaseStopped}, Instances: []store.Instance{{Name: "0"}}},
		{Phase: store.PhaseReady, ActiveOp: "op", Instances: []store.Instance{{Name: "0"}}},
		{Phase: store.PhaseProvisioning, Instances: []store.Instance{{Name: "0"}}},
		{Phase: store.PhaseReady},
	} {
		if watched(s) {
			t.Errorf("the watcher would act on %+v", s)
		}
	}
}

func containsStep(op store.Operation, name string) bool {
	for _, s := range op.Steps {
		if s.Name == name && s.Outcome == model.StepOK {
			return true
		}
	}
	return false
}

func containsPrefix(calls []string, prefix string) bool {
	for _, c := range calls {
		if len(c) >= len(prefix) && c[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
