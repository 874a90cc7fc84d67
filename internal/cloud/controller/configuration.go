package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// planConfigurationPut sets (or resets) a parameter. PostgreSQL first checks the new file (step check); a
// dynamic parameter is then applied with a reload, a static one restarts the server, as the service's "save
// and restart" does. Settings never take a server down: if PostgreSQL refuses the file or fails to start
// with it, the rollback puts the previous value back and brings the server up on it, and the operation fails
// with PostgreSQL's own words.
func (c *Controller) planConfigurationPut(op store.Operation) (plan, error) {
	var p ConfigurationPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	static := spec.RestartRequired(p.Name)
	steps := []step{
		{"record", func(ctx context.Context, r *run) error { return c.recordConfiguration(r, name, &p, static) }},
		{"check", func(ctx context.Context, r *run) error { return c.checkConfiguration(ctx, name, p) }},
	}
	if static {
		steps = append(steps, step{"restart", func(ctx context.Context, r *run) error {
			if c.isStopped(name) {
				return nil // the check wrote the files; they take effect at the next start
			}
			if err := c.restartServer(ctx, name); err != nil {
				return rejectedByStart(p, err)
			}
			return c.applyPolicy(name)
		}})
	} else {
		steps = append(steps, step{"apply", func(ctx context.Context, r *run) error { return c.enforceAccess(ctx, name) }})
	}
	return plan{
		steps: steps,
		rollback: []step{
			{"restore", func(ctx context.Context, r *run) error { return c.restoreConfiguration(name, p) }},
			{"reapply", func(ctx context.Context, r *run) error {
				err := c.reapplyConfiguration(ctx, name)
				if err != nil && r.op.Error != nil {
					// This error replaces the change's own: keep what the change was and why it failed.
					return fmt.Errorf("restoring the previous settings after a failed change of %s (%s) failed too: %w",
						p.Name, r.op.Error.Message, err)
				}
				return err
			}},
		},
		finish: func(tx *store.Tx, r *run) error {
			if err := c.settlePhase(tx, name); err != nil {
				return err
			}
			if p.Reset || !static || c.isStoppedTx(tx, name) {
				return nil
			}
			cfg, err := tx.GetConfiguration(name, p.Name)
			if err != nil {
				return err
			}
			cfg.Pending = false
			return tx.PutConfiguration(cfg)
		},
		abandon: func(tx *store.Tx, r *run) error { return c.settlePhase(tx, name) },
	}, nil
}

// recordConfiguration stores the new value. The first time it also keeps the stored override it replaces
// in the operation's payload, in the same transaction, so a rollback after a crash of the cloud still knows
// the previous value (and never mistakes the new one for it).
func (c *Controller) recordConfiguration(r *run, name string, p *ConfigurationPayload, static bool) error {
	return c.store.Update(func(tx *store.Tx) error {
		if !p.PreviousKnown {
			prev, err := tx.GetConfiguration(name, p.Name)
			switch {
			case err == nil:
				p.Previous = &prev
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			p.PreviousKnown = true
			body, err := json.Marshal(p)
			if err != nil {
				return err
			}
			r.op.Payload = body
			if err := tx.PutOperation(r.op); err != nil {
				return err
			}
		}
		if p.Reset {
			return tx.DeleteConfiguration(name, p.Name)
		}
		return tx.PutConfiguration(store.Configuration{Server: name, Name: p.Name, Value: p.Value, Pending: static})
	})
}

// restoreConfiguration puts back the override the operation replaced (or removes the one it added).
func (c *Controller) restoreConfiguration(name string, p ConfigurationPayload) error {
	return c.store.Update(func(tx *store.Tx) error {
		if !p.PreviousKnown {
			return nil // the record step never ran: nothing was changed
		}
		if p.Previous == nil {
			err := tx.DeleteConfiguration(name, p.Name)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		return tx.PutConfiguration(*p.Previous)
	})
}

// reapplyConfiguration brings the server back onto its stored settings after a failed change: the files are
// rewritten, and a server that should run is reloaded, or started when the failed start left it down.
func (c *Controller) reapplyConfiguration(ctx context.Context, name string) error {
	if c.isStopped(name) {
		return c.writeAllFiles(ctx, name)
	}
	running, err := c.allRunning(ctx, name)
	if err != nil {
		return err
	}
	if running {
		return c.enforceAccess(ctx, name)
	}
	if err := c.restartServer(ctx, name); err != nil {
		return err
	}
	return c.applyPolicy(name)
}

func (c *Controller) isStopped(name string) bool {
	stopped := false
	_ = c.store.View(func(tx *store.Tx) error {
		stopped = c.isStoppedTx(tx, name)
		return nil
	})
	return stopped
}

// isStoppedTx reports whether the server is meant to be stopped. The desired state decides, not the phase:
// an operation holding the server shows it Updating.
func (c *Controller) isStoppedTx(tx *store.Tx, name string) bool {
	s, err := tx.GetServer(name)
	return err == nil && (s.Phase == store.PhaseStopped || s.Spec.State == store.PhaseStopped)
}
