package controller

import (
	"context"
	"fmt"

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
	if err := c.refreshVirtualEndpoints(ctx, name); err != nil {
		return err
	}
	return c.reloadFiles(ctx, name)
}

// reloadFiles re-renders every instance's files and has each running instance reload them: parameters, TLS
// settings and pg_hba hold on the primary and the standby alike, so they still hold after a failover.
func (c *Controller) reloadFiles(ctx context.Context, name string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeAllFiles(ctx, name); err != nil {
		return err
	}
	if st.server.Phase == store.PhaseStopped {
		return nil // the files are read when the server starts
	}
	for _, in := range st.server.Instances {
		if info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container); err == nil && !info.Running {
			// A dead instance reads the new files when it starts again (the watcher brings it back).
			continue
		}
		if err := c.withInstanceSession(ctx, name, in, func(s Session) error { return s.Reload(ctx) }); err != nil {
			return fmt.Errorf("reload the %s instance: %w", in.Role, err)
		}
	}
	return nil
}
