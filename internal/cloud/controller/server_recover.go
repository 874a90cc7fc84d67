package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planServerRecover is the service's built-in availability (seed 002, "Availability without zone redundant
// HA"): the primary's PostgreSQL is brought back on the same data volume, behind the same endpoint. A hung
// container is killed first; a container removed from outside is created again around the volume. Crash
// recovery replays the WAL, so every committed transaction is there.
func (c *Controller) planServerRecover(op store.Operation) (plan, error) {
	name := op.Server
	var p RecoverPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{
		steps: []step{
			{"fence", func(ctx context.Context, r *run) error {
				if !p.Fence {
					return nil
				}
				return c.fenceInstance(ctx, name)
			}},
			{"container", func(ctx context.Context, r *run) error { return c.recreateMissingContainer(ctx, name) }},
			{"start", func(ctx context.Context, r *run) error {
				in, err := c.primaryOf(name)
				if err != nil {
					return err
				}
				if err := c.writeAllFiles(ctx, name); err != nil {
					return err
				}
				return c.startInstance(ctx, name, in)
			}},
		},
		finish: func(tx *store.Tx, r *run) error {
			c.watching.recovered(name)
			return updateServer(tx, name, func(s *store.Server) { markRunning(s) })
		},
		abandon: func(tx *store.Tx, r *run) error {
			c.watching.backOff(name, c.now(), defaultWatchPolicy)
			return c.settlePhase(tx, name)
		},
	}, nil
}

// fenceInstance kills the primary's container so the instance can never answer again as it was.
func (c *Controller) fenceInstance(ctx context.Context, name string) error {
	in, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	err = c.cfg.Runtime.KillContainer(ctx, in.Container, "SIGKILL")
	if err != nil && !errors.Is(err, runtime.ErrNotFound) {
		return fmt.Errorf("kill the hung primary: %w", err)
	}
	return nil
}

// recreateMissingContainer creates the primary's container again when it was removed from outside; its data
// volume is what matters, and it is still there.
func (c *Controller) recreateMissingContainer(ctx context.Context, name string) error {
	in, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	if _, err := c.cfg.Runtime.InspectContainer(ctx, in.Container); !errors.Is(err, runtime.ErrNotFound) {
		return err
	}
	image, err := c.serverImage(ctx, name)
	if err != nil {
		return err
	}
	return c.ensureContainer(ctx, name, in, image)
}
