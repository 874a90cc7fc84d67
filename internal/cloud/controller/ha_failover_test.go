package controller

import (
	"context"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// failedOver checks a server after a failover from instance from to instance to.
func (h *harness) failedOver(name, from, to string) store.Server {
	h.t.Helper()
	s, _ := h.server(name)
	p, okP := s.Primary()
	sb, okS := s.Standby()
	if !okP || !okS || p.Name != to || sb.Name != from {
		h.t.Fatalf("after the failover: instances %+v, want %s primary and %s standby", s.Instances, to, from)
	}
	if s.HA.State != spec.HAStateHealthy || s.HA.SyncStandby != from || s.HA.Timeline != 2 || s.HA.Failovers != 1 {
		h.t.Fatalf("HA record %+v, want Healthy on timeline 2 with %s synchronous", s.HA, from)
	}
	if s.Spec.Zone != p.Zone {
		h.t.Fatalf("zone reads %s, want the new primary's %s", s.Spec.Zone, p.Zone)
	}
	info, err := h.rt.InspectContainer(context.Background(), sb.Container)
	if err != nil || !info.Running {
		h.t.Fatalf("the old primary did not come back as the standby: %+v %v", info, err)
	}
	newIP, _ := h.rt.InspectContainer(context.Background(), p.Container)
	if ep, ok := h.eps.get(name); !ok || !strings.HasPrefix(ep.backend, firstIP(newIP.IPs)+":") {
		h.t.Fatalf("the endpoint points at %+v, want the new primary %v", ep, newIP.IPs)
	}
	conf, _ := h.rt.File(sb.Container, "/etc/flexpg/postgresql.conf")
	if !strings.Contains(string(conf), "primary_conninfo") {
		h.t.Fatalf("the old primary is not configured as a standby:\n%s", conf)
	}
	if !containsPrefix(h.rt.Calls(), "StartContainer "+sb.Container+"-job") {
		h.t.Fatal("the old primary was not rewound (no job ran on its volume)")
	}
	return s
}

func firstIP(ips map[string]string) string {
	for _, ip := range ips {
		return ip
	}
	return ""
}

func TestAutomaticFailoverWhenThePrimaryDies(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "")
	if err := h.rt.KillContainer(context.Background(), primary(s).Container, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	id := h.recoveryAfter("demo")
	op := h.waitOp(id)
	if op.Kind != KindServerFailover || op.Status != model.OperationSucceeded {
		t.Fatalf("operation %s %s %+v, want a successful failover", op.Kind, op.Status, op.Error)
	}
	h.failedOver("demo", "0", "1")
}

func TestAStaleStandbyIsNeverPromoted(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "")
	// The standby fell out of sync (the cloud cleared the record) when the primary dies.
	if err := h.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, "demo", func(s *store.Server) { s.HA.SyncStandby = "" })
	}); err != nil {
		t.Fatal(err)
	}
	h.pg.cluster().SetLagging(true)
	if err := h.rt.KillContainer(context.Background(), primary(s).Container, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	op := h.waitOp(h.recoveryAfter("demo"))
	if op.Kind != KindServerRecover {
		t.Fatalf("the watcher started %s; a standby not recorded synchronous must not be promoted", op.Kind)
	}
	if after, _ := h.server("demo"); primary(after).Name != "0" || after.HA.Timeline > 1 {
		t.Fatalf("the stale standby was promoted: %+v %+v", after.Instances, after.HA)
	}
}

// A cloud killed at any step of a failover finishes it when it starts again.
func TestFailoverResumesAfterACloudRestart(t *testing.T) {
	for _, at := range []string{"fence", "promote", "swapRoles", "openPrimary", "repoint", "rejoin", "resync"} {
		t.Run(at, func(t *testing.T) {
			h := newHarness(t)
			s := h.createHAServer("demo", "")
			h.ctl.Close()
			h.restartAt(at)
			if err := h.rt.KillContainer(context.Background(), primary(s).Container, "SIGKILL"); err != nil {
				t.Fatal(err)
			}
			id := h.recoveryAfter("demo")
			h.waitStep(id, at)
			h.ctl.Close() // the cloud goes away at the step
			h.restartAt("")
			if op := h.waitOp(id); op.Status != model.OperationSucceeded {
				t.Fatalf("resumed failover: %+v", op.Error)
			}
			h.failedOver("demo", "0", "1")
		})
	}
}

func TestFailoverRefusedWhenTheStandbyDoesNotAnswer(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "")
	sb, _ := s.Standby()
	if err := h.rt.KillContainer(context.Background(), sb.Container, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	op := h.submit(KindServerFailover, "demo", FailoverPayload{Mode: FailoverPlanned, From: "0", To: "1"},
		func(tx *store.Tx, op *store.Operation) error { return tx.HoldServer(s, *op, store.PhaseUpdating) })
	done := h.waitOp(op.ID)
	if done.Status != model.OperationFailed || done.Error.Code != model.CodeConflict {
		t.Fatalf("failover to a dead standby: %s %+v, want a conflict", done.Status, done.Error)
	}
	after, _ := h.server("demo")
	if primary(after).Name != "0" || after.HA.Timeline > 1 {
		t.Fatalf("something failed over: %+v %+v", after.Instances, after.HA)
	}
	info, _ := h.rt.InspectContainer(context.Background(), primary(after).Container)
	if !info.Running {
		t.Fatal("the refused failover stopped the primary")
	}
}
