package controller

import (
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planServerDelete removes the server's endpoint, container, volume and certificate (and a replica's slot on
// its primary), then its records.
func (c *Controller) planServerDelete(op store.Operation) (plan, error) {
	name := op.Server
	steps := c.teardownSteps(name)
	if s, err := c.getServer(name); err == nil && s.IsReplica() {
		steps = c.replicaTeardownSteps(name)
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
