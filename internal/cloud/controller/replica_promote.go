package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// PromotePayload is the input of a replica's promotion, decided when the API accepted it.
type PromotePayload struct {
	Role   string `json:"role"`   // spec.ReplicationRolePrimary or spec.ReplicationRoleNone
	Option string `json:"option"` // spec.PromoteOptionPlanned or spec.PromoteOptionForced
	From   string `json:"from"`   // the primary the replica leaves
	// Desired is the replica's spec once promoted (its replication_role and promote_option applied).
	Desired model.Server `json:"desired"`
}

// upstreamTimeout bounds a forced promotion's look at the primary it leaves: in a region outage it does
// not answer, and a forced promotion does not wait for it.
const upstreamTimeout = 2 * time.Second

// planReplicaPromote is seed 004's promotion. replication_state walks Reconfiguring, Updating, Catchup,
// Active. Planned waits until the replica has replayed everything its primary wrote (to primary server:
// after the primary stopped taking writes); forced promotes at once and records how far behind the replica
// was. To primary server, the old primary is fenced before the promotion, so there are never two writers,
// and comes back as a replica of the promoted server (pg_rewind, or a new copy), as do its other replicas.
func (c *Controller) planReplicaPromote(op store.Operation) (plan, error) {
	var p PromotePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	steps := []step{{"promoteBegin", func(ctx context.Context, r *run) error {
		return c.setReplicationState(name, spec.ReplicationStateReconfiguring)
	}}}
	switch {
	case p.Option == spec.PromoteOptionForced:
		steps = append(steps, step{"measureLag", func(ctx context.Context, r *run) error { return c.measureLag(ctx, name, p) }})
		if p.Role == spec.ReplicationRolePrimary {
			steps = append(steps, step{"fenceOld", func(ctx context.Context, r *run) error { return c.fenceServer(ctx, p.From) }})
		}
	case p.Role == spec.ReplicationRolePrimary:
		steps = append(steps, step{"drainOld", func(ctx context.Context, r *run) error { return c.drainUpstream(ctx, name, p) }})
	default:
		steps = append(steps, step{"catchUp", func(ctx context.Context, r *run) error { return c.replicaCatchUp(ctx, name, p) }})
	}
	steps = append(steps,
		step{"promote", func(ctx context.Context, r *run) error { return c.promoteReplica(ctx, name, p) }},
		step{"detach", func(ctx context.Context, r *run) error { return c.detachReplica(ctx, name, p) }},
		step{"moveEndpoints", func(ctx context.Context, r *run) error { return c.moveVirtualEndpoints(ctx, name, p) }},
	)
	if p.Role == spec.ReplicationRolePrimary {
		steps = append(steps,
			step{"rejoinOld", func(ctx context.Context, r *run) error { return c.rejoinAsReplica(ctx, p.From, name) }},
			step{"repointSiblings", func(ctx context.Context, r *run) error { return c.repointSiblings(ctx, p.From, name) }},
		)
	} else {
		steps = append(steps, step{"dropOldSlot", func(ctx context.Context, r *run) error { return c.dropSlotOn(ctx, p.From, name) }})
	}
	steps = append(steps, step{"promoteDone", func(ctx context.Context, r *run) error {
		if err := c.applyIsolation(ctx); err != nil { // a cross-VNet pair that no longer replicates is no longer peered
			return err
		}
		return c.setReplicationState(name, spec.ReplicationStateActive)
	}})
	return plan{
		steps:    steps,
		rollback: []step{{"settlePromotion", func(ctx context.Context, r *run) error { return c.settlePromotion(ctx, name, p) }}},
		finish: func(tx *store.Tx, r *run) error {
			if err := c.movePrimaryPeriods(tx, name, p); err != nil {
				return err
			}
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseReady })
		},
		abandon:   func(tx *store.Tx, r *run) error { return c.settlePhase(tx, name) },
		succeeded: c.KickBackups, // the promoted server's first full backup
	}, nil
}

// movePrimaryPeriods records the promotion in the archives (seed 004's backup table): the promoted server is
// a primary from now on, whose backups start with a full backup right away; the old primary of a switchover
// is a replica now, with no backups taken and no restore to this time.
func (c *Controller) movePrimaryPeriods(tx *store.Tx, name string, p PromotePayload) error {
	now := c.now()
	promoted, err := tx.GetServer(name)
	if err != nil {
		return err
	}
	if promoted.ArchiveID != "" {
		if err := tx.UpdateArchive(promoted.ArchiveID, func(a *store.Archive) error { a.OpenPeriod(now); return nil }); err != nil {
			return err
		}
	}
	if p.Role != spec.ReplicationRolePrimary {
		return nil
	}
	old, err := tx.GetServer(p.From)
	if err != nil || old.ArchiveID == "" {
		return err
	}
	return tx.UpdateArchive(old.ArchiveID, func(a *store.Archive) error { a.ClosePeriod(now); return nil })
}

// replicaCatchUp (planned, to independent server) waits until the replica has replayed the primary's WAL
// position at the start of the promotion: every commit acknowledged before it was asked for is kept.
func (c *Controller) replicaCatchUp(ctx context.Context, name string, p PromotePayload) error {
	if err := c.setReplicationState(name, spec.ReplicationStateUpdating); err != nil {
		return err
	}
	target, err := c.upstreamPosition(ctx, p.From, 0)
	if err != nil {
		return &OpError{Code: model.CodeConflict, Message: fmt.Sprintf(
			"the primary %s does not answer (%v): a planned promotion needs it; nothing was promoted (use promote_option = \"forced\")", p.From, err)}
	}
	if err := c.recordPromoteTarget(name, target); err != nil {
		return err
	}
	return c.awaitReplayed(ctx, name, target)
}

// drainUpstream (planned, to primary server) stops the old primary with a fast shutdown, which refuses new
// writes and sends its last WAL to the replica, and waits until the replica replayed everything the primary
// wrote before it stopped. The position is recorded first, so a resumed promotion waits for the same one.
func (c *Controller) drainUpstream(ctx context.Context, name string, p PromotePayload) error {
	if err := c.setReplicationState(name, spec.ReplicationStateUpdating); err != nil {
		return err
	}
	// The old primary archives nothing once it is a replica: its last commits reach its archive first.
	if err := c.sealBeforeStop(ctx, p.From); err != nil {
		return err
	}
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	target := postgres.LSN(0)
	if s.Replication != nil {
		target = postgres.LSN(s.Replication.PromoteTarget)
	}
	if target == 0 {
		if target, err = c.upstreamPosition(ctx, p.From, 0); err != nil {
			return &OpError{Code: model.CodeConflict, Message: fmt.Sprintf(
				"the primary %s does not answer (%v): a planned promotion needs it; nothing was promoted (use promote_option = \"forced\")", p.From, err)}
		}
		if err := c.recordPromoteTarget(name, target); err != nil {
			return err
		}
	}
	if err := c.stopServer(ctx, p.From); err != nil {
		return fmt.Errorf("stop the primary %s: %w", p.From, err)
	}
	return c.awaitReplayed(ctx, name, target)
}

// measureLag (forced) records the primary's WAL position if it answers at once: the promotion reports how
// far behind the replica was, which is the most it may lose.
func (c *Controller) measureLag(ctx context.Context, name string, p PromotePayload) error {
	if err := c.setReplicationState(name, spec.ReplicationStateUpdating); err != nil {
		return err
	}
	target, err := c.upstreamPosition(ctx, p.From, upstreamTimeout)
	if err != nil {
		c.log.Warn("forced promotion: the primary does not answer; the lag is not known", "server", name, "primary", p.From, "err", err)
		return nil
	}
	return c.recordPromoteTarget(name, target)
}

// fenceServer kills every instance of a server so that it can never acknowledge another write, and waits
// for the engine to confirm it. A container that is gone, or whose engine does not answer (its zone is
// down), cannot write either.
func (c *Controller) fenceServer(ctx context.Context, name string) error {
	ins, err := c.instancesOf(name)
	if err != nil {
		return err
	}
	if private, err := c.isPrivate(name); err == nil && !private {
		if err := c.cfg.Endpoints.SetBackend(name, ""); err != nil {
			return err
		}
	}
	for _, in := range ins {
		if err := c.cfg.Runtime.KillContainer(ctx, in.Container, "SIGKILL"); err != nil &&
			!errors.Is(err, runtime.ErrNotFound) && !errors.Is(err, runtime.ErrConflict) {
			return fmt.Errorf("fence %s: %w", name, err)
		}
		info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container)
		if err == nil && info.Running {
			return fmt.Errorf("the container %s of %s still runs after the kill; not promoting", in.Container, name)
		}
	}
	return nil
}

// promoteReplica promotes the replica's instance, recording how far its replay was behind the position the
// earlier steps recorded (0 for a planned promotion, which waited for it).
func (c *Controller) promoteReplica(ctx context.Context, name string, p PromotePayload) error {
	if err := c.setReplicationState(name, spec.ReplicationStateCatchup); err != nil {
		return err
	}
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	in, ok := s.Primary()
	if !ok {
		return fmt.Errorf("read replica %s has no instance", name)
	}
	return c.withInstanceSession(ctx, name, *in, func(sess Session) error {
		st, err := sess.Status(ctx)
		if err != nil || !st.InRecovery {
			return err // promoted by an earlier attempt of this step
		}
		lag := int64(-1)
		if s.Replication != nil && s.Replication.PromoteTarget != 0 {
			lag = lagBytes(postgres.LSN(s.Replication.PromoteTarget), st.ReplayLSN)
		}
		if err := c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, name, func(s *store.Server) {
				s.Promotion = &store.Promotion{Role: p.Role, Option: p.Option, From: p.From, At: c.now(), LagBytes: lag}
			})
		}); err != nil {
			return err
		}
		if err := sess.Promote(ctx, promoteWait); err != nil {
			return fmt.Errorf("promote %s: %w", name, err)
		}
		return nil
	})
}

// detachReplica records the promoted server as a primary of its own, with the spec the user asked for,
// and gives it a primary's files.
func (c *Controller) detachReplica(ctx context.Context, name string, p PromotePayload) error {
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			s.Spec = p.Desired
			if s.Replication != nil {
				s.Replication.Upstream, s.Replication.PromoteTarget = "", 0
			}
		})
	}); err != nil {
		return err
	}
	return c.reloadPrimary(ctx, name, nil)
}

// settlePromotion is the rollback of a promotion that failed. Before the replica was promoted nothing
// changed but, for a planned promotion to primary server, the old primary's stop: it is started again and
// the replica streams on. After, the promoted server runs as a primary and the old primary stays stopped
// (never a second writer), its link Broken, as seed 004 describes a failed promotion.
func (c *Controller) settlePromotion(ctx context.Context, name string, p PromotePayload) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	if s.IsReplica() {
		if running, err := c.primaryRunning(ctx, p.From); err == nil && !running && p.Role == spec.ReplicationRolePrimary {
			if err := c.startServer(ctx, p.From); err != nil {
				return err
			}
		}
		return c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, name, func(s *store.Server) {
				s.Replication.State, s.Replication.PromoteTarget, s.Promotion = spec.ReplicationStateActive, 0, nil
			})
		})
	}
	return c.store.Update(func(tx *store.Tx) error {
		if err := updateServer(tx, name, func(s *store.Server) {
			if s.Replication != nil {
				s.Replication.State = spec.ReplicationStateBroken
			}
		}); err != nil {
			return err
		}
		return updateServer(tx, p.From, func(old *store.Server) {
			if old.Replication != nil {
				old.Replication.State = spec.ReplicationStateBroken
			}
		})
	})
}

// upstreamPosition reads the current WAL position of a server's primary (within timeout, if not 0).
func (c *Controller) upstreamPosition(ctx context.Context, server string, timeout time.Duration) (postgres.LSN, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var cur postgres.LSN
	err := c.withSession(ctx, server, func(s Session) error {
		st, err := s.Status(ctx)
		cur = st.CurrentLSN
		return err
	})
	return cur, err
}

// awaitReplayed waits until the server's primary instance (a replica's) has replayed target.
func (c *Controller) awaitReplayed(ctx context.Context, name string, target postgres.LSN) error {
	ctx, cancel := context.WithTimeout(ctx, catchupTimeout)
	defer cancel()
	return c.withSession(ctx, name, func(s Session) error { return s.WaitReplayed(ctx, target) })
}

func (c *Controller) recordPromoteTarget(name string, target postgres.LSN) error {
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			if s.Replication != nil {
				s.Replication.PromoteTarget = uint64(target)
			}
		})
	})
}
