package controller

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planFirewallPut records the rule and enforces the new rule set: the host endpoint's policy (immediately)
// and pg_hba inside the instance (reloaded), so the change is in force within a second.
func (c *Controller) planFirewallPut(op store.Operation) (plan, error) {
	var p FirewallPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	return plan{
		steps: []step{
			{"record", func(ctx context.Context, r *run) error {
				return c.store.Update(func(tx *store.Tx) error {
					return tx.PutFirewallRule(store.FirewallRule{Rule: p.Rule, Server: name})
				})
			}},
			{"enforce", func(ctx context.Context, r *run) error { return c.enforceAccess(ctx, name) }},
		},
	}, nil
}

// planFirewallDelete removes the rule and enforces the remaining set.
func (c *Controller) planFirewallDelete(op store.Operation) (plan, error) {
	var p FirewallPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	return plan{
		steps: []step{
			{"record", func(ctx context.Context, r *run) error {
				return c.store.Update(func(tx *store.Tx) error { return tx.DeleteFirewallRule(name, p.Rule.Name) })
			}},
			{"enforce", func(ctx context.Context, r *run) error { return c.enforceAccess(ctx, name) }},
		},
	}, nil
}

// enforceAccess pushes the current rules and transport settings to the host endpoint and to pg_hba.
func (c *Controller) enforceAccess(ctx context.Context, name string) error {
	if err := c.applyPolicy(name); err != nil {
		return err
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st); err != nil {
		return err
	}
	if st.server.Phase == store.PhaseStopped {
		return nil // the files are read when the server starts
	}
	return c.withSession(ctx, name, func(s Session) error { return s.Reload(ctx) })
}
