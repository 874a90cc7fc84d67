package controller

import (
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
	if p.HandBackTo != "" {
		steps = append(c.handBackSteps(name, p.HandBackTo), steps...)
	}
	return plan{
		steps: steps,
		finish: func(tx *store.Tx, r *run) error {
			return forgetServer(tx, name)
		},
		abandon: func(tx *store.Tx, r *run) error {
			// The server stays, marked Failed, so the user can see it and retry the delete.
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseFailed })
		},
	}, nil
}
