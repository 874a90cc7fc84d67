package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// catchupTimeout bounds the wait for a new replica to stream within spec.ActiveLagBytes of its primary.
const catchupTimeout = 10 * time.Minute

// planReplicaCreate builds a read replica as seed 004 describes: a blank server filled with a copy of its
// primary (a base backup through the replica's own slot on the primary), then streaming asynchronously;
// created once its lag is at most 1 GB. replication_state walks Provisioning, Updating, Catchup, Active,
// and the primary is Updating meanwhile (the API holds it as the operation's partner). A failure removes
// everything, the slot on the primary included.
func (c *Controller) planReplicaCreate(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: []step{
			{"reservePort", func(ctx context.Context, r *run) error { return c.reservePort(name) }},
			{"image", func(ctx context.Context, r *run) error { _, err := c.serverImage(ctx, name); return err }},
			{"replicationRole", func(ctx context.Context, r *run) error {
				return c.withUpstream(ctx, name, func(s Session, _ store.Replication) error { return s.EnsureReplicationRole(ctx) })
			}},
			{"replicaSlot", func(ctx context.Context, r *run) error {
				return c.withUpstream(ctx, name, func(s Session, rep store.Replication) error { return s.EnsureSlot(ctx, rep.Slot) })
			}},
			{"replicaVolume", func(ctx context.Context, r *run) error { return c.emptyVolume(ctx, name) }},
			{"backupStorage", func(ctx context.Context, r *run) error { return c.serverBackupStorage(ctx, name) }},
			{"peering", func(ctx context.Context, r *run) error { return c.peerReplica(ctx, name) }},
			{"replicaCopy", func(ctx context.Context, r *run) error { return c.replicaCopy(ctx, name) }},
			{"container", func(ctx context.Context, r *run) error { return c.ensurePrimaryContainer(ctx, name) }},
			{"start", func(ctx context.Context, r *run) error {
				if err := c.startServer(ctx, name); err != nil {
					return err
				}
				return c.setReplicationState(name, spec.ReplicationStateCatchup)
			}},
			{"catchup", func(ctx context.Context, r *run) error { return c.awaitCatchup(ctx, name) }},
			{"endpoint", func(ctx context.Context, r *run) error { return c.openEndpoint(ctx, name) }},
		},
		rollback: c.replicaTeardownSteps(name),
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) {
				s.Phase = store.PhaseReady
				if s.Replication != nil {
					s.Replication.State = spec.ReplicationStateActive
				}
			})
		},
		abandon: func(tx *store.Tx, r *run) error { return forgetServerAndArchive(tx, name) },
	}, nil
}

// replicaTeardownSteps remove a replica (deleted, or a create rolled back): everything a server owns, and
// then the slot its primary keeps for it, which would otherwise hold WAL on the primary for ever.
func (c *Controller) replicaTeardownSteps(name string) []step {
	return append(c.teardownSteps(name),
		step{"dropReplicaSlot", func(ctx context.Context, r *run) error { return c.dropReplicaSlot(ctx, name) }},
		step{"unpeer", func(ctx context.Context, r *run) error { return c.unpeerReplica(ctx, name) }})
}

// emptyVolume names and creates the data volume of a read replica or a restored server: an empty one, never
// a spare (a spare holds an initialized cluster of its own, and the copy needs an empty directory).
func (c *Controller) emptyVolume(ctx context.Context, name string) error {
	var volume string
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServerErr(tx, name, func(s *store.Server) error {
			in, ok := s.Primary()
			if !ok {
				return fmt.Errorf("server %s has no instance recorded", name)
			}
			if in.Volume == "" {
				in.Volume = c.instanceVolumeName(name, in.Name)
			}
			volume = in.Volume
			return nil
		})
	}); err != nil {
		return err
	}
	return c.cfg.Runtime.CreateVolume(ctx, runtime.VolumeSpec{Name: volume, Labels: c.labels(serverResource(name), "data")})
}

// replicaCopy fills the replica's volume with a base backup of its upstream's primary, streamed through the
// replica's slot. A copy that finished before a crash of the cloud is kept.
func (c *Controller) replicaCopy(ctx context.Context, name string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if st.upstream == nil {
		return fmt.Errorf("server %s is not a read replica", name)
	}
	in, ok := st.server.Primary()
	if !ok {
		return fmt.Errorf("read replica %s has no instance recorded", name)
	}
	peer, err := primaryPeerOf(*st.upstream)
	if err != nil {
		return err
	}
	cmd, err := postgres.BaseBackupCommand(postgres.BaseBackup{Source: peer, Slot: st.server.Replication.Slot})
	if err != nil {
		return err
	}
	err = c.runJob(ctx, name, *in, cmd)
	if errors.Is(err, postgres.ErrDataExists) {
		err = nil
	}
	if err != nil {
		return err
	}
	return c.setReplicationState(name, spec.ReplicationStateUpdating)
}

// awaitCatchup waits until the upstream's primary reports the replica streaming and at most
// spec.ActiveLagBytes behind its current WAL position (seed 004's condition for a created replica).
func (c *Controller) awaitCatchup(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, catchupTimeout)
	defer cancel()
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if st.upstream == nil {
		return fmt.Errorf("server %s is not a read replica", name)
	}
	primary, ok := st.upstream.Primary()
	if !ok {
		return fmt.Errorf("the upstream %s of read replica %s has no primary", st.upstream.Spec.Name, name)
	}
	slot := st.server.Replication.Slot
	err = c.pollReplication(ctx, st.upstream.Spec.Name, *primary, func(rows []postgres.Replica, cur postgres.LSN) bool {
		return streamingWithin(rows, slot, cur, spec.ActiveLagBytes)
	})
	if err != nil {
		return fmt.Errorf("read replica %s did not catch up with %s within %s: %w", name, st.upstream.Spec.Name, catchupTimeout, err)
	}
	return nil
}

// streamingWithin reports whether the standby named app streams and has replayed to within limit bytes of
// current.
func streamingWithin(rows []postgres.Replica, app string, current postgres.LSN, limit int64) bool {
	for _, r := range rows {
		if r.ApplicationName == app && r.State == "streaming" && r.Replay != 0 && lagBytes(current, r.Replay) <= limit {
			return true
		}
	}
	return false
}

// lagBytes is how far behind at lies from current (0 when it is not behind).
func lagBytes(current, at postgres.LSN) int64 {
	if at >= current {
		return 0
	}
	return int64(current - at)
}

// dropReplicaSlot drops the slot a replica's upstream keeps for it (see dropSlotOn); an upstream that is
// gone took the slot with it.
func (c *Controller) dropReplicaSlot(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil || !s.IsReplica() {
		return err
	}
	if _, err := c.getServer(s.Replication.Upstream); errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return c.dropSlotOn(ctx, s.Replication.Upstream, name)
}

// dropStaleSlots drops the slots of replicas deleted while the server was not running.
func (c *Controller) dropStaleSlots(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil || len(s.StaleSlots) == 0 {
		return err
	}
	if err := c.withSession(ctx, name, func(sess Session) error {
		for _, slot := range s.StaleSlots {
			if err := sess.DropSlot(ctx, slot); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(u *store.Server) { u.StaleSlots = nil })
	})
}

// primaryRunning reports whether the server's primary instance's container runs, and is not frozen (a
// paused container answers nothing: asking it would only wait for a timeout).
func (c *Controller) primaryRunning(ctx context.Context, name string) (bool, error) {
	primary, err := c.primaryOf(name)
	if err != nil {
		return false, err
	}
	info, err := c.cfg.Runtime.InspectContainer(ctx, primary.Container)
	if err != nil {
		return false, err
	}
	return info.Running && !info.Paused, nil
}

// withUpstream runs fn on a management session of the primary a replica streams from.
func (c *Controller) withUpstream(ctx context.Context, name string, fn func(Session, store.Replication) error) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	if !s.IsReplica() {
		return fmt.Errorf("server %s is not a read replica", name)
	}
	rep := *s.Replication
	return c.withSession(ctx, rep.Upstream, func(sess Session) error { return fn(sess, rep) })
}

// setReplicationState records a replica's replication_state, and logs each change: the walk through seed
// 004's states is in the cloud's log even where a state lasts only milliseconds.
func (c *Controller) setReplicationState(name, state string) error {
	changed := false
	err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			if s.Replication != nil && s.Replication.State != state {
				s.Replication.State, changed = state, true
			}
		})
	})
	if err == nil && changed {
		c.log.Info("replication_state", "server", name, "state", state)
	}
	return err
}
