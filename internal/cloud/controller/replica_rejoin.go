package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// rejoinAsReplica makes the old primary old a read replica of the promoted server primary (seed 004,
// promote to primary server: "the current primary server is demoted to a replica role"): its slot on the
// new primary, pg_rewind (or a new copy when the timelines cannot be joined), a replica's files, a start,
// and the catch-up of a new replica.
func (c *Controller) rejoinAsReplica(ctx context.Context, old, primary string) error {
	slot, err := postgres.ReplicaSlotName(old)
	if err != nil {
		return err
	}
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, old, func(s *store.Server) {
			if !s.IsReplica() {
				s.Replication = &store.Replication{Upstream: primary, Slot: slot, State: spec.ReplicationStateReconfiguring}
			}
			if s.Spec.CreateMode == spec.CreateModeReplica {
				// A replica promoted to primary server whose roles were swapped back reads AsyncReplica again.
				s.Spec.ReplicationRole = spec.ReplicationRoleAsyncReplica
			}
		})
	}); err != nil {
		return err
	}
	if err := c.withSession(ctx, primary, func(s Session) error { return s.EnsureSlot(ctx, slot) }); err != nil {
		return err
	}
	in, err := c.primaryOf(old)
	if err != nil {
		return err
	}
	if err := c.rewindReplica(ctx, old, in); err != nil {
		return err
	}
	st, err := c.loadServerState(old)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st, in); err != nil {
		return err
	}
	if err := c.startInstance(ctx, old, in); err != nil {
		return err
	}
	if err := c.setReplicationState(old, spec.ReplicationStateCatchup); err != nil {
		return err
	}
	if err := c.awaitCatchup(ctx, old); err != nil {
		return err
	}
	// The slot the old primary kept for the promoted server holds WAL nobody reads any more.
	if err := c.dropSlotOn(ctx, old, primary); err != nil {
		return err
	}
	return c.setReplicationState(old, spec.ReplicationStateActive)
}

// rewindReplica turns a stopped (or killed) former primary's data into the past of its new upstream with
// pg_rewind, or replaces it with a new copy when that cannot be done.
func (c *Controller) rewindReplica(ctx context.Context, name string, in store.Instance) error {
	if err := c.cfg.Runtime.StopContainer(ctx, in.Container, drainGrace); err != nil && !errors.Is(err, runtime.ErrNotFound) {
		return err
	}
	if _, err := c.cfg.Runtime.InspectContainer(ctx, in.Container); errors.Is(err, runtime.ErrNotFound) {
		if err := c.ensurePrimaryContainer(ctx, name); err != nil {
			return err
		}
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if st.upstream == nil {
		return fmt.Errorf("server %s has no upstream to rewind to", name)
	}
	peer, err := primaryPeerOf(*st.upstream)
	if err != nil {
		return err
	}
	cmd, err := postgres.RewindCommand(postgres.Rewind{Source: peer})
	if err != nil {
		return err
	}
	err = c.runJob(ctx, name, in, cmd)
	if !errors.Is(err, postgres.ErrRebuild) {
		return err
	}
	c.log.Warn("the old primary cannot be rewound; copying its new primary instead", "server", name, "err", err)
	if err := c.cfg.Runtime.RemoveContainer(ctx, in.Container); err != nil {
		return err
	}
	if err := c.cfg.Runtime.RemoveVolume(ctx, in.Volume); err != nil {
		return err
	}
	if err := c.emptyVolume(ctx, name); err != nil {
		return err
	}
	if err := c.replicaCopy(ctx, name); err != nil {
		return err
	}
	return c.ensurePrimaryContainer(ctx, name)
}

// repointSiblings moves the other replicas of the old primary to the promoted server: a slot there, files
// that stream from it (primary_conninfo and primary_slot_name take a reload), and their slots on the old
// primary dropped. They follow the promotion's timeline (recovery_target_timeline = latest).
func (c *Controller) repointSiblings(ctx context.Context, old, primary string) error {
	var siblings []store.Server
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		siblings, err = tx.ReplicasOf(old)
		return err
	}); err != nil {
		return err
	}
	for _, sib := range siblings {
		if err := c.withSession(ctx, primary, func(s Session) error { return s.EnsureSlot(ctx, sib.Replication.Slot) }); err != nil {
			return err
		}
		if err := c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, sib.Spec.Name, func(s *store.Server) {
				if s.Replication != nil {
					s.Replication.Upstream = primary
				}
			})
		}); err != nil {
			return err
		}
		if err := c.reloadPrimary(ctx, sib.Spec.Name, nil); err != nil {
			return err
		}
		// Dropped once the sibling streams from elsewhere: it may have cascaded from the old primary meanwhile.
		if err := c.dropSlotOn(ctx, old, sib.Spec.Name); err != nil {
			return err
		}
	}
	return nil
}

// dropSlotOn drops the slot server keeps for replica (named in replica's record). A server that is not
// running drops it when it next starts.
func (c *Controller) dropSlotOn(ctx context.Context, server, replica string) error {
	r, err := c.getServer(replica)
	if err != nil || r.Replication == nil || r.Replication.Slot == "" {
		return err
	}
	slot := r.Replication.Slot
	if running, err := c.primaryRunning(ctx, server); err != nil || !running {
		if err != nil && !errors.Is(err, runtime.ErrNotFound) {
			return err
		}
		return c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, server, func(s *store.Server) { s.AddStaleSlot(slot) })
		})
	}
	return c.withSession(ctx, server, func(s Session) error { return s.DropSlot(ctx, slot) })
}

// followNewPrimary moves the read replicas of a server whose primary instance changed (an HA failover) to
// the new primary: physical slots are not copied to a standby, so each replica's slot is made there, and
// the replica's files name the new address (a reload). A replica whose WAL the new primary no longer has
// shows Broken until it is recreated.
func (c *Controller) followNewPrimary(ctx context.Context, name string) error {
	var replicas []store.Server
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		replicas, err = tx.ReplicasOf(name)
		return err
	}); err != nil {
		return err
	}
	for _, r := range replicas {
		if err := c.withSession(ctx, name, func(s Session) error { return s.EnsureSlot(ctx, r.Replication.Slot) }); err != nil {
			return err
		}
		if err := c.reloadPrimary(ctx, r.Spec.Name, nil); err != nil {
			c.log.Warn("repoint a read replica at the new primary", "server", r.Spec.Name, "primary", name, "err", err)
		}
	}
	return nil
}
