package controller

import (
	"context"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// createHAServer creates a GeneralPurpose server with ZoneRedundant HA and waits for it.
func (h *harness) createHAServer(name, standbyZone string) store.Server {
	h.t.Helper()
	sp := model.Server{Name: name, Location: "westeurope", Zone: "1", Version: "15", SKUName: "GP_Standard_D2s_v3",
		StorageMB: 32768, AdministratorLogin: "pgadmin", State: "Ready",
		HighAvailability: &model.HighAvailability{Mode: spec.HAModeZoneRedundant, StandbyAvailabilityZone: standbyZone}}
	op := h.submit(KindServerCreate, name, CreatePayload{Verifier: "SCRAM-SHA-256$verifier"}, func(tx *store.Tx, op *store.Operation) error {
		return tx.PutServer(store.Server{Spec: sp, Phase: store.PhaseProvisioning, ActiveOp: op.ID})
	})
	if done := h.waitOp(op.ID); done.Status != model.OperationSucceeded {
		h.t.Fatalf("create with HA: %+v", done.Error)
	}
	s, err := h.server(name)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func TestCreateWithHABuildsASynchronousStandby(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "")
	p, okP := s.Primary()
	sb, okS := s.Standby()
	if !okP || !okS || len(s.Instances) != 2 {
		t.Fatalf("instances %+v, want a primary and a standby", s.Instances)
	}
	if p.Zone != "1" || sb.Zone != "2" {
		t.Fatalf("zones: primary %s standby %s, want 1 and the cloud's choice 2", p.Zone, sb.Zone)
	}
	if p.Container == sb.Container || p.Volume == sb.Volume || sb.Volume == "" {
		t.Fatalf("the instances share engine objects: %+v", s.Instances)
	}
	if s.HA.State != spec.HAStateHealthy || s.HA.SyncStandby != sb.Name || !s.HA.SyncOn {
		t.Fatalf("HA record %+v, want Healthy with %s synchronous", s.HA, sb.Name)
	}
	conf, _ := h.rt.File(p.Container, "/etc/flexpg/postgresql.conf")
	if !strings.Contains(string(conf), `synchronous_standby_names = 'FIRST 1 ("flexpg_ha_1")'`) {
		t.Fatalf("the primary does not wait for its standby:\n%s", conf)
	}
	sconf, _ := h.rt.File(sb.Container, "/etc/flexpg/postgresql.conf")
	for _, want := range []string{"primary_conninfo = ", "primary_slot_name = 'flexpg_ha_1'", "hot_standby = 'on'"} {
		if !strings.Contains(string(sconf), want) {
			t.Fatalf("standby configuration lacks %q:\n%s", want, sconf)
		}
	}
	hba, _ := h.rt.File(sb.Container, "/etc/flexpg/pg_hba.conf")
	if strings.Contains(string(hba), "scram-sha-256") {
		t.Fatalf("the standby lets users try a password:\n%s", hba)
	}
	if _, ok := h.rt.File(sb.Container, "/etc/flexpg/replication.key"); !ok {
		t.Fatal("the standby has no replication certificate")
	}
}

func TestCreateWithHAHonoursTheStandbyZone(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "3")
	if sb, _ := s.Standby(); sb.Zone != "3" {
		t.Fatalf("standby in zone %s, want the requested 3", sb.Zone)
	}
}

func TestDisableHARemovesTheStandby(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "")
	sb, _ := s.Standby()
	off := s.Spec
	off.HighAvailability = nil
	op := h.submit(KindServerUpdate, "demo", UpdatePayload{Old: s.Spec, New: off}, func(tx *store.Tx, op *store.Operation) error {
		return tx.HoldServer(s, *op, store.PhaseUpdating)
	})
	if done := h.waitOp(op.ID); done.Status != model.OperationSucceeded {
		t.Fatalf("disable HA: %+v", done.Error)
	}
	after, _ := h.server("demo")
	if len(after.Instances) != 1 || after.HA.State != "" || after.HA.SyncOn {
		t.Fatalf("after disable: instances %+v, HA %+v", after.Instances, after.HA)
	}
	if h.volumeExists(sb.Volume) {
		t.Fatal("the standby's volume is still there")
	}
	if _, ok := h.rt.File(sb.Container, "/etc/flexpg/postgresql.conf"); ok {
		t.Fatal("the standby's container is still there")
	}
	conf, _ := h.rt.File(primary(after).Container, "/etc/flexpg/postgresql.conf")
	if !strings.Contains(string(conf), "synchronous_standby_names = ''") {
		t.Fatalf("the primary still waits for a standby:\n%s", conf)
	}
}

func TestEnableHAInPlace(t *testing.T) {
	h := newHarness(t)
	s := h.readyServer("demo")
	on := s.Spec
	on.SKUName = "GP_Standard_D2s_v3"
	on.HighAvailability = &model.HighAvailability{Mode: spec.HAModeSameZone}
	op := h.submit(KindServerUpdate, "demo", UpdatePayload{Old: s.Spec, New: on}, func(tx *store.Tx, op *store.Operation) error {
		return tx.HoldServer(s, *op, store.PhaseUpdating)
	})
	if done := h.waitOp(op.ID); done.Status != model.OperationSucceeded {
		t.Fatalf("enable HA: %+v", done.Error)
	}
	after, _ := h.server("demo")
	sb, ok := after.Standby()
	if !ok || sb.Zone != primary(after).Zone || after.HA.State != spec.HAStateHealthy {
		t.Fatalf("after enable: %+v %+v", after.Instances, after.HA)
	}
}

func TestPowerAndScalingActOnBothInstances(t *testing.T) {
	h := newHarness(t)
	s := h.createHAServer("demo", "")
	p, _ := s.Primary()
	sb, _ := s.Standby()
	running := func(name string) bool {
		info, _ := h.rt.InspectContainer(context.Background(), name)
		return info.Running
	}
	run := func(kind string, phase string) {
		t.Helper()
		cur, _ := h.server("demo")
		op := h.submit(kind, "demo", nil, func(tx *store.Tx, op *store.Operation) error { return tx.HoldServer(cur, *op, phase) })
		if done := h.waitOp(op.ID); done.Status != model.OperationSucceeded {
			t.Fatalf("%s: %+v", kind, done.Error)
		}
	}
	run(KindServerStop, store.PhaseStopping)
	if running(p.Container) || running(sb.Container) {
		t.Fatal("stop left an instance running")
	}
	run(KindServerStart, store.PhaseStarting)
	if !running(p.Container) || !running(sb.Container) {
		t.Fatal("start left an instance stopped")
	}
	h.rt.ResetCalls()
	cur, _ := h.server("demo")
	bigger := cur.Spec
	bigger.SKUName = "GP_Standard_D4s_v3"
	op := h.submit(KindServerUpdate, "demo", UpdatePayload{Old: cur.Spec, New: bigger}, func(tx *store.Tx, op *store.Operation) error {
		return tx.HoldServer(cur, *op, store.PhaseUpdating)
	})
	if done := h.waitOp(op.ID); done.Status != model.OperationSucceeded {
		t.Fatalf("scale: %+v", done.Error)
	}
	var order []string
	for _, call := range h.rt.Calls() {
		if strings.HasPrefix(call, "UpdateResources ") {
			order = append(order, strings.Fields(call)[1])
		}
	}
	if len(order) != 2 || order[0] != sb.Container || order[1] != p.Container {
		t.Fatalf("scaled %v, want the standby %s first, then the primary %s", order, sb.Container, p.Container)
	}
	if after, _ := h.server("demo"); primary(after).Name != p.Name {
		t.Fatal("scaling failed over")
	}
}
