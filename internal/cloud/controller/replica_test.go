package controller

import (
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// createReplica records and runs a replica create of source as the API does (the source held as partner).
func (h *harness) createReplica(name, source string) store.Server {
	h.t.Helper()
	sp := model.Server{Name: name, Location: "westeurope", Zone: "1", Version: "15", SKUName: "B_Standard_B1ms",
		StorageMB: 32768, AdministratorLogin: "pgadmin", State: "Ready", CreateMode: spec.CreateModeReplica,
		SourceServerID: spec.ServerID(source), ReplicationRole: spec.ReplicationRoleAsyncReplica}
	op := h.submit(KindReplicaCreate, name, nil, func(tx *store.Tx, op *store.Operation) error {
		src, err := tx.GetServer(source)
		if err != nil {
			return err
		}
		if err := tx.HoldPartner(src, op, store.PhaseUpdating); err != nil {
			return err
		}
		return tx.PutServer(store.Server{Spec: sp, Phase: store.PhaseProvisioning, ActiveOp: op.ID,
			Replication: &store.Replication{Upstream: source, Slot: "flexpg_rr_" + strings.ReplaceAll(name, "-", "_"),
				State: spec.ReplicationStateProvisioning}})
	})
	if done := h.waitOp(op.ID); done.Status != model.OperationSucceeded {
		h.t.Fatalf("replica create: %+v", done.Error)
	}
	s, err := h.server(name)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// promote runs a promotion of replica as the API does (its primary held as partner).
func (h *harness) promote(replica, role, option string) store.Operation {
	h.t.Helper()
	r, err := h.server(replica)
	if err != nil {
		h.t.Fatal(err)
	}
	desired := r.Spec
	desired.ReplicationRole, desired.PromoteOption = role, option
	from := r.Replication.Upstream
	op := h.submit(KindReplicaPromote, replica, PromotePayload{Role: role, Option: option, From: from, Desired: desired},
		func(tx *store.Tx, op *store.Operation) error {
			up, err := tx.GetServer(from)
			if err != nil {
				return err
			}
			if err := tx.HoldPartner(up, op, store.PhaseUpdating); err != nil {
				return err
			}
			return tx.HoldServer(r, *op, store.PhaseUpdating)
		})
	return h.waitOp(op.ID)
}

// putEndpoint records a virtual endpoint over primary whose reader is reader, as the API would.
func (h *harness) putEndpoint(name, primary, reader string) {
	h.t.Helper()
	if err := h.store.Update(func(tx *store.Tx) error {
		return tx.PutVirtualEndpoint(store.VirtualEndpoint{Endpoint: model.VirtualEndpoint{Name: name, ReplicaServerID: spec.ServerID(reader)},
			Owner: primary, Writer: primary, Reader: reader})
	}); err != nil {
		h.t.Fatal(err)
	}
}

// endpoint reads a virtual endpoint's record.
func (h *harness) endpoint(name string) store.VirtualEndpoint {
	h.t.Helper()
	var v store.VirtualEndpoint
	if err := h.store.View(func(tx *store.Tx) error { var err error; v, err = tx.GetVirtualEndpoint(name); return err }); err != nil {
		h.t.Fatal(err)
	}
	return v
}

// streamsFrom reports whether the server's instance is configured to stream from upstream.
func (h *harness) streamsFrom(name, upstream string) bool {
	conf := h.conf(name)
	return strings.Contains(conf, "primary_conninfo") && strings.Contains(conf, spec.ServerFQDN(upstream))
}

func TestReplicaCreateStreamsThroughItsSlot(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("src").ID)
	r := h.createReplica("rep", "src")
	src, _ := h.server("src")
	if r.Phase != store.PhaseReady || r.Replication.State != spec.ReplicationStateActive || src.Phase != store.PhaseReady || src.ActiveOp != "" {
		t.Fatalf("after the create: replica %s/%s, source %s held by %q", r.Phase, r.Replication.State, src.Phase, src.ActiveOp)
	}
	if !h.streamsFrom("rep", "src") || !strings.Contains(h.conf("rep"), "primary_slot_name = 'flexpg_rr_rep'") {
		t.Fatalf("the replica's configuration:\n%s", h.conf("rep"))
	}
	if h.streamsFrom("src", "rep") {
		t.Fatal("the source streams from its replica")
	}
}

func TestPromoteToIndependent(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("src").ID)
	h.createReplica("rep", "src")
	h.putEndpoint("ve", "src", "rep")
	if op := h.promote("rep", spec.ReplicationRoleNone, spec.PromoteOptionPlanned); op.Status != model.OperationSucceeded {
		t.Fatalf("promotion: %+v", op.Error)
	}
	r, _ := h.server("rep")
	src, _ := h.server("src")
	if r.IsReplica() || r.Spec.ReplicationRole != spec.ReplicationRoleNone || r.Promotion == nil || r.Promotion.LagBytes != 0 ||
		r.Replication.State != spec.ReplicationStateActive || src.IsReplica() || src.Phase != store.PhaseReady {
		t.Fatalf("after: replica %+v %+v, source %+v", r.Replication, r.Promotion, src.Replication)
	}
	if h.streamsFrom("rep", "src") {
		t.Fatal("the independent server still streams from its old primary")
	}
	// Seed 004's table, promote to independent server: the writer stays, the reader moves to the primary.
	ve := h.endpoint("ve")
	if ve.Writer != "src" || ve.Reader != "src" {
		t.Fatalf("virtual endpoint after the promotion to independent server: %+v", ve)
	}
}

func TestPromoteToPrimarySwapsRolesAndEndpoints(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("src").ID)
	h.createReplica("rep", "src")
	h.putEndpoint("ve", "src", "rep")
	if op := h.promote("rep", spec.ReplicationRolePrimary, spec.PromoteOptionForced); op.Status != model.OperationSucceeded {
		t.Fatalf("promotion: %+v", op.Error)
	}
	r, _ := h.server("rep")
	src, _ := h.server("src")
	if r.IsReplica() || !src.IsReplica() || src.Replication.Upstream != "rep" || src.Replication.State != spec.ReplicationStateActive ||
		!h.streamsFrom("src", "rep") || h.streamsFrom("rep", "src") {
		t.Fatalf("roles after the promotion: rep %+v, src %+v", r.Replication, src.Replication)
	}
	ve := h.endpoint("ve")
	if ve.Writer != "rep" || ve.Reader != "src" || ve.Endpoint.ReplicaServerID != spec.ServerID("rep") {
		t.Fatalf("virtual endpoint after the promotion: %+v", ve)
	}
}
