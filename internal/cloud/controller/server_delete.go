package controller

import (
	"context"
	"errors"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planServerDelete removes the server's endpoint, container, volume and certificate (and a replica's slot on
// its primary), then its records.
//
// A replica promoted to primary server first hands the primary role back to its old primary (DeletePayload).
func (c *Controller) planServerDelete(op store.Operation) (plan, error) {
	var p DeletePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	steps := c.teardownSteps(name)
	if s, err := c.getServer(name); err == nil && s.IsReplica() {
		steps = c.replicaTeardownSteps(name)
	}
	// The archive outlives the server (a deleted server can be restored within its retention): every commit
	// reaches it before the server goes.
	steps = append([]step{{"sealArchive", func(ctx context.Context, r *run) error { return c.sealBeforeStop(ctx, name) }}}, steps...)
	if p.HandBackTo != "" {
		steps = append(c.handBackSteps(name, p.HandBackTo), steps...)
	}
	return plan{
		steps: steps,
		finish: func(tx *store.Tx, r *run) error {
			if err := retireArchive(tx, name, c.now()); err != nil {
				return err
			}
			return forgetServer(tx, name)
		},
		abandon: func(tx *store.Tx, r *run) error {
			// The server stays, marked Failed, so the user can see it and retry the delete.
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseFailed })
		},
	}, nil
}

// retireArchive marks a deleted server's archive: its last period ends now, and its configuration is kept
// for a restore of the deleted server. Retention then removes it like any other (backupRetention).
func retireArchive(tx *store.Tx, name string, now time.Time) error {
	s, err := tx.GetServer(name)
	if err != nil || s.ArchiveID == "" {
		return err
	}
	err = tx.UpdateArchive(s.ArchiveID, func(a *store.Archive) error {
		a.ClosePeriod(now)
		a.Deleted = &now
		spec := s.Spec
		a.Spec = &spec
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
