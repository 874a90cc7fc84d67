package controller

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// planConfigurationPut sets (or resets) a parameter. A dynamic parameter is applied with a reload; a static
// one restarts the server, as the service's "save and restart" does.
func (c *Controller) planConfigurationPut(op store.Operation) (plan, error) {
	var p ConfigurationPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	static := spec.RestartRequired(p.Name)
	steps := []step{
		{"record", func(ctx context.Context, r *run) error {
			return c.store.Update(func(tx *store.Tx) error {
				if p.Reset {
					return tx.DeleteConfiguration(name, p.Name)
				}
				return tx.PutConfiguration(store.Configuration{Server: name, Name: p.Name, Value: p.Value, Pending: static})
			})
		}},
	}
	if static {
		steps = append(steps, step{"restart", func(ctx context.Context, r *run) error {
			if c.isStopped(name) {
				st, err := c.loadServerState(name)
				if err != nil {
					return err
				}
				return c.writeFiles(ctx, st) // takes effect at the next start
			}
			if err := c.restartInstance(ctx, name); err != nil {
				return err
			}
			return c.applyPolicy(name)
		}})
	} else {
		steps = append(steps, step{"apply", func(ctx context.Context, r *run) error { return c.enforceAccess(ctx, name) }})
	}
	return plan{
		steps: steps,
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

func (c *Controller) isStopped(name string) bool {
	stopped := false
	_ = c.store.View(func(tx *store.Tx) error {
		stopped = c.isStoppedTx(tx, name)
		return nil
	})
	return stopped
}

func (c *Controller) isStoppedTx(tx *store.Tx, name string) bool {
	s, err := tx.GetServer(name)
	return err == nil && s.Phase == store.PhaseStopped
}
