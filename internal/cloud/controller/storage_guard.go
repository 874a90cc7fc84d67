package controller

import (
	"context"
	"encoding/json"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// guardStorage measures every running server's disk use and applies the service's rule: at 95% of
// storage_mb the server becomes read-only, or, with auto-grow, its storage grows to the next size.
func (c *Controller) guardStorage() {
	servers, err := c.listServers()
	if err != nil {
		c.log.Error("storage guard", "err", err)
		return
	}
	for _, s := range servers {
		if s.Phase != store.PhaseReady || s.ActiveOp != "" {
			continue
		}
		if err := c.guardServer(s); err != nil {
			c.log.Warn("storage guard", "server", s.Spec.Name, "err", err)
		}
	}
}

func (c *Controller) guardServer(s store.Server) error {
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	name := s.Spec.Name
	var used int64
	if err := c.withSession(ctx, name, func(sess Session) error {
		var err error
		used, err = sess.DataSize(ctx)
		return err
	}); err != nil {
		return err
	}
	capacity := spec.StorageCapacityBytes(s.Spec.StorageMB, c.cfg.Scale)
	switch spec.DecideStorage(used, capacity, spec.StorageMinFreeBytes(c.cfg.Scale), s.Spec.AutoGrowEnabled, s.ReadOnly, s.Spec.StorageMB) {
	case spec.StorageSetReadOnly:
		c.log.Warn("storage is 95% full or under 5 GiB free: the server is now read-only; grow storage_mb or delete data (or a stopped replica's slot is keeping WAL)",
			"server", name, "used", used, "capacity", capacity)
		return c.setReadOnly(ctx, name, true)
	case spec.StorageClearReadOnly:
		c.log.Info("storage below 95% again: the server is writable", "server", name)
		return c.setReadOnly(ctx, name, false)
	case spec.StorageGrow:
		return c.autoGrow(s)
	case spec.StorageFull:
		c.log.Error("storage is 95% full at the largest size; auto-grow cannot help", "server", name)
		return c.setReadOnly(ctx, name, true)
	}
	return nil
}

// setReadOnly records the switch and applies it with a reload.
func (c *Controller) setReadOnly(ctx context.Context, name string, on bool) error {
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) { s.ReadOnly = on })
	}); err != nil {
		return err
	}
	return c.reloadFiles(ctx, name)
}

// autoGrow starts an update that raises storage_mb to the next size (a size the cloud grew is not drift for
// Terraform while auto_grow_enabled is on).
func (c *Controller) autoGrow(s store.Server) error {
	next, ok := spec.NextStorageSize(s.Spec.StorageMB)
	if !ok {
		return nil
	}
	grown := s.Spec
	grown.StorageMB = next
	if tier, ok := spec.DefaultStorageTier(next); ok && spec.ValidateStorageTier(next, grown.StorageTier) != nil {
		grown.StorageTier = tier
	}
	payload, err := json.Marshal(UpdatePayload{Old: s.Spec, New: grown})
	if err != nil {
		return err
	}
	var op store.Operation
	err = c.store.Update(func(tx *store.Tx) error {
		cur, err := tx.GetServer(s.Spec.Name)
		if err != nil || cur.ActiveOp != "" {
			return err // someone else got there first; the next round decides again
		}
		op = c.NewOperation(KindServerUpdate, serverResource(s.Spec.Name), s.Spec.Name, payload)
		return tx.HoldServer(cur, op, store.PhaseUpdating)
	})
	if err != nil || op.ID == "" {
		return err
	}
	c.log.Info("storage is 95% full: auto-grow raises storage_mb", "server", s.Spec.Name, "from", s.Spec.StorageMB, "to", next)
	c.launch(op)
	return nil
}
