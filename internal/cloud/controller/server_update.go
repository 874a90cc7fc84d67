package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const inspectTimeout = 10 * time.Second

// planServerUpdate applies a changed spec. The steps present depend on what changed: power state, compute
// (container limits plus the SKU-derived parameters, which need a restart), and the admin password.
// Settings that only the service's bookkeeping holds (tags, retention, maintenance window, storage size)
// take effect by being recorded.
func (c *Controller) planServerUpdate(op store.Operation) (plan, error) {
	name := op.Server
	var p UpdatePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	starting := p.Old.State == spec.StateStopped && p.New.State != spec.StateStopped
	stopping := p.Old.State != spec.StateStopped && p.New.State == spec.StateStopped
	running := p.New.State != spec.StateStopped
	scaled := p.Old.SKUName != p.New.SKUName

	steps := []step{{"record", func(ctx context.Context, r *run) error {
		return c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, name, func(s *store.Server) { s.Spec = p.New })
		})
	}}}
	if starting {
		steps = append(steps, step{"start", func(ctx context.Context, r *run) error { return c.startServer(ctx, name) }})
	}
	if scaled {
		steps = append(steps, step{"scaleCompute", func(ctx context.Context, r *run) error { return c.applyCompute(ctx, name, p.New.SKUName) }})
	}
	if p.Failover != nil {
		steps = append(steps, c.failoverSteps(name, *p.Failover)...)
	} else {
		steps = append(steps, c.haUpdateSteps(name, p.Old, p.New)...)
	}
	if p.Verifier != "" {
		steps = append(steps, step{"adminPassword", func(ctx context.Context, r *run) error {
			return c.withSession(ctx, name, func(s Session) error { return s.SetPassword(ctx, p.New.AdministratorLogin, p.Verifier) })
		}})
	}
	if scaled && running {
		steps = append(steps, step{"restart", func(ctx context.Context, r *run) error { return c.restartServer(ctx, name) }})
	} else if scaled {
		steps = append(steps, step{"renderConfig", func(ctx context.Context, r *run) error {
			return c.writeAllFiles(ctx, name)
		}})
	}
	if stopping {
		steps = append(steps, step{"stop", func(ctx context.Context, r *run) error { return c.stopServer(ctx, name) }})
	}
	return plan{
		steps: steps,
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) {
				s.Spec = p.New
				if in, ok := s.Primary(); ok && s.Spec.HighAvailability == nil && p.New.Zone != "" {
					in.Zone = p.New.Zone // without HA the zone is only where the server is said to be
				}
				if stopping {
					c.markStopped(s)
					return
				}
				if p.New.State == spec.StateStopped {
					s.Phase = store.PhaseStopped // it was stopped before and stays stopped
					return
				}
				markRunning(s)
			})
		},
		abandon: func(tx *store.Tx, r *run) error {
			if err := updateServer(tx, name, func(s *store.Server) { s.Spec = p.Old }); err != nil {
				return err
			}
			return c.settlePhase(tx, name)
		},
	}, nil
}

// haUpdateSteps are the steps of a change of high_availability: enabling it builds the standby, disabling
// it removes the standby, and a change of mode or standby zone replaces the standby.
func (c *Controller) haUpdateSteps(name string, old, new model.Server) []step {
	switch ha := haChange(old, new); ha {
	case haEnable:
		return c.standbySteps(name)
	case haDisable:
		return c.removeStandbySteps(name)
	case haRebuild:
		return append(c.removeStandbySteps(name), c.standbySteps(name)...)
	}
	return nil
}

// haChangeKind is what an update does to high availability.
type haChangeKind int

const (
	haSame haChangeKind = iota
	haEnable
	haDisable
	haRebuild
)

// haChange compares the HA blocks of two specs. The standby zone counts only when the user chose one: an
// unset zone lets the cloud keep the standby where it is.
func haChange(old, new model.Server) haChangeKind {
	switch {
	case old.HighAvailability == nil && new.HighAvailability == nil:
		return haSame
	case old.HighAvailability == nil:
		return haEnable
	case new.HighAvailability == nil:
		return haDisable
	case old.HighAvailability.Mode != new.HighAvailability.Mode:
		return haRebuild
	case new.HighAvailability.StandbyAvailabilityZone != "" &&
		new.HighAvailability.StandbyAvailabilityZone != old.HighAvailability.StandbyAvailabilityZone:
		return haRebuild
	}
	return haSame
}

// applyCompute changes the container's CPU and memory limits to the scaled SKU.
func (c *Controller) applyCompute(ctx context.Context, name, skuName string) error {
	sku, ok := spec.LookupSKU(skuName)
	if !ok {
		return &OpError{Code: model.CodeInvalidParameter, Field: "sku_name", Message: "unknown sku_name " + skuName}
	}
	compute := spec.ScaledCompute(sku, c.cfg.Scale)
	ins, err := c.instancesOf(name)
	if err != nil {
		return err
	}
	// The standby first, then the primary, as the service scales (seed 002): the instances are ordered
	// primary first, so walk them backwards.
	for i := len(ins) - 1; i >= 0; i-- {
		if err := c.cfg.Runtime.UpdateResources(ctx, ins[i].Container, compute.NanoCPUs, compute.MemoryBytes); err != nil {
			return fmt.Errorf("scale the %s instance: %w", ins[i].Role, err)
		}
	}
	return nil
}
