package controller

import (
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planServerDelete removes the server's endpoint, container, volume and certificate, then its records.
func (c *Controller) planServerDelete(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: c.teardownSteps(name),
		finish: func(tx *store.Tx, r *run) error {
			return forgetServer(tx, name)
		},
		abandon: func(tx *store.Tx, r *run) error {
			// The server stays, marked Failed, so the user can see it and retry the delete.
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseFailed })
		},
	}, nil
}
