package controller

import (
	"context"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// planServerStart starts a stopped server.
func (c *Controller) planServerStart(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: []step{
			{"startReplicas", func(ctx context.Context, r *run) error { return c.startPartners(ctx, r.op) }},
			{"start", func(ctx context.Context, r *run) error { return c.startServer(ctx, name) }},
			{"dropStaleSlots", func(ctx context.Context, r *run) error { return c.dropStaleSlots(ctx, name) }},
		},
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) { markRunning(s) })
		},
		abandon: func(tx *store.Tx, r *run) error { return c.settlePhase(tx, name) },
	}, nil
}

// planServerStop stops a running server; its data volume stays.
func (c *Controller) planServerStop(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: []step{
			// A restore of the stopped server to any time before the stop is then exact.
			{"sealArchive", func(ctx context.Context, r *run) error { return c.sealBeforeStop(ctx, name) }},
			{"stop", func(ctx context.Context, r *run) error { return c.stopServer(ctx, name) }},
		},
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) { c.markStopped(s) })
		},
		abandon: func(tx *store.Tx, r *run) error { return c.settlePhase(tx, name) },
	}, nil
}

// planServerRestart restarts PostgreSQL (re-rendering its configuration first).
func (c *Controller) planServerRestart(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: []step{{"restart", func(ctx context.Context, r *run) error { return c.restartServer(ctx, name) }}},
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) { markRunning(s) })
		},
		abandon: func(tx *store.Tx, r *run) error { return c.settlePhase(tx, name) },
	}, nil
}

func markRunning(s *store.Server) {
	s.Phase = store.PhaseReady
	s.Spec.State = store.PhaseReady
	s.StoppedAt = nil
}

func (c *Controller) markStopped(s *store.Server) {
	now := c.now()
	s.Phase = store.PhaseStopped
	s.Spec.State = store.PhaseStopped
	s.StoppedAt = &now
}

// settlePhase sets the phase from what the container really is after a failed operation.
func (c *Controller) settlePhase(tx *store.Tx, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), inspectTimeout)
	defer cancel()
	var info runtime.ContainerInfo
	s, err := tx.GetServer(name)
	if err != nil {
		return err
	}
	if primary, ok := s.Primary(); ok {
		info, err = c.cfg.Runtime.InspectContainer(ctx, primary.Container)
	} else {
		err = fmt.Errorf("server %s has no primary instance", name)
	}
	return updateServer(tx, name, func(s *store.Server) {
		switch {
		case err != nil:
			s.Phase = store.PhaseFailed
		case info.Running:
			s.Phase = store.PhaseReady
		default:
			s.Phase = store.PhaseStopped
		}
	})
}

// startPartners starts the stopped read replicas a primary's start holds, before the primary (seed 004:
// replicas start before their primary), and records them running. Their phase shows again as Ready when
// the operation releases them.
func (c *Controller) startPartners(ctx context.Context, op store.Operation) error {
	for _, name := range op.Partners {
		if err := c.startServer(ctx, name); err != nil {
			return fmt.Errorf("start read replica %s: %w", name, err)
		}
		if err := c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, name, func(s *store.Server) {
				markRunning(s)
				s.PartnerPhase = store.PhaseReady
			})
		}); err != nil {
			return err
		}
	}
	return nil
}
