package controller

import (
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// A full backup holds up none of its server's operations: while the backup waits before its step, a
// firewall rule's operation on the same server runs to the end.
func TestBackupRunsBesideServerOperations(t *testing.T) {
	h := newHarnessWith(t, func(h *harness) { h.pauseAt = "fullBackup" })
	if op := h.waitOp(h.createServer("demo").ID); op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	if err := h.store.Update(func(tx *store.Tx) error {
		a := store.Archive{ID: "demo-1", Server: "demo", Region: "westeurope", Version: "15", RetentionDays: 7,
			Periods: []spec.Period{{Start: h.ctl.now()}}}
		if err := tx.PutArchive(a); err != nil {
			return err
		}
		return updateServer(tx, "demo", func(s *store.Server) { s.ArchiveID = a.ID })
	}); err != nil {
		t.Fatal(err)
	}
	h.ctl.KickBackups()
	var backup store.Operation
	deadline := time.Now().Add(5 * time.Second)
	for backup.ID == "" && time.Now().Before(deadline) {
		_ = h.store.View(func(tx *store.Tx) error {
			ops, err := tx.ListOperations()
			for _, op := range ops {
				if op.Kind == KindServerBackup && op.Step == "fullBackup" {
					backup = op
				}
			}
			return err
		})
		time.Sleep(5 * time.Millisecond)
	}
	if backup.ID == "" {
		t.Fatal("no full backup reached its step")
	}
	rule := model.FirewallRule{Name: "me", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}
	fw := h.submit(KindFirewallPut, "demo", FirewallPayload{Rule: rule}, func(*store.Tx, *store.Operation) error { return nil })
	if op := h.waitOp(fw.ID); op.Status != model.OperationSucceeded {
		t.Fatalf("firewall rule beside a running backup: %+v %+v", op.Status, op.Error)
	}
	var still store.Operation
	_ = h.store.View(func(tx *store.Tx) error { var err error; still, err = tx.GetOperation(backup.ID); return err })
	if still.Status != model.OperationRunning {
		t.Fatalf("the backup is %s, want still waiting before its step", still.Status)
	}
}
