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

// syncTimeout bounds the wait for a new standby to catch up and become synchronous.
const syncTimeout = 5 * time.Minute

// syncPollInterval is how often the primary's pg_stat_replication is read while waiting for the standby.
const syncPollInterval = 50 * time.Millisecond

// standbySteps give a running server its standby, as seed 002 describes: a copy of the primary (base backup
// through the standby's own slot) in the standby zone, streaming, then synchronous. ha_state walks
// Initializing, ReplicatingData, Healthy.
func (c *Controller) standbySteps(name string) []step {
	return []step{
		{"replicationRole", func(ctx context.Context, r *run) error {
			return c.withSession(ctx, name, func(s Session) error { return s.EnsureReplicationRole(ctx) })
		}},
		{"standbyRecord", func(ctx context.Context, r *run) error { return c.recordStandby(name) }},
		{"standbyVolume", func(ctx context.Context, r *run) error {
			in, err := c.standbyOf(name)
			if err != nil {
				return err
			}
			return c.cfg.Runtime.CreateVolume(ctx, runtime.VolumeSpec{Name: in.Volume, Labels: c.labels(serverResource(name), "data")})
		}},
		{"standbySlot", func(ctx context.Context, r *run) error {
			in, err := c.standbyOf(name)
			if err != nil {
				return err
			}
			slot, err := standbyName(in)
			if err != nil {
				return err
			}
			return c.withSession(ctx, name, func(s Session) error { return s.EnsureSlot(ctx, slot) })
		}},
		{"baseBackup", func(ctx context.Context, r *run) error { return c.baseBackup(ctx, name) }},
		{"standbyContainer", func(ctx context.Context, r *run) error {
			in, err := c.standbyOf(name)
			if err != nil {
				return err
			}
			image, err := c.serverImage(ctx, name)
			if err != nil {
				return err
			}
			return c.ensureContainer(ctx, name, in, image)
		}},
		{"standbyStart", func(ctx context.Context, r *run) error {
			in, err := c.standbyOf(name)
			if err != nil {
				return err
			}
			if err := c.startInstance(ctx, name, in); err != nil {
				return err
			}
			return c.setHAState(name, spec.HAStateReplicatingData)
		}},
		{"syncOn", func(ctx context.Context, r *run) error { return c.syncOn(ctx, name) }},
		{"awaitSync", func(ctx context.Context, r *run) error { return c.awaitSync(ctx, name) }},
	}
}

// recordStandby records the standby instance, in the zone the cloud chooses, before anything of it exists
// on the engine: a crash from here on leaves objects the record names, which the steps finish or the
// rollback removes.
func (c *Controller) recordStandby(name string) error {
	down, err := c.downZones()
	if err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error {
		return updateServerErr(tx, name, func(s *store.Server) error {
			if _, ok := s.Standby(); ok {
				return nil // recorded by an earlier attempt of this step
			}
			primary, ok := s.Primary()
			if !ok || s.Spec.HighAvailability == nil {
				return fmt.Errorf("server %s has no primary or no high_availability to build a standby for", name)
			}
			requested := s.Spec.HighAvailability.StandbyAvailabilityZone
			zone, err := spec.ChooseStandbyZone(s.Spec.Location, s.Spec.HighAvailability.Mode, primary.Zone, requested,
				func(z string) bool { return down[zoneKey(s.Spec.Location, z)] })
			if err != nil {
				return &OpError{Code: "ZoneUnavailable", Field: "high_availability.standby_availability_zone", Message: err.Error()}
			}
			in := s.AddInstance(store.RoleStandby, zone)
			rec, _ := s.Instance(in.Name)
			rec.Container = c.instanceContainerName(name, in.Name)
			rec.Volume = c.instanceVolumeName(name, in.Name)
			s.HA = store.HA{State: spec.HAStateInitializing, Timeline: s.HA.Timeline, Failovers: s.HA.Failovers}
			return nil
		})
	})
}

// baseBackup copies the primary into the standby's empty volume. A copy a crash interrupted left only a
// staging directory, which the command replaces; a finished copy is found and kept.
func (c *Controller) baseBackup(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	primary, okP := s.Primary()
	standby, okS := s.Standby()
	if !okP || !okS {
		return fmt.Errorf("server %s has no primary and standby to copy between", name)
	}
	slot, err := standbyName(*standby)
	if err != nil {
		return err
	}
	peer, err := primaryPeer(name, *primary)
	if err != nil {
		return err
	}
	cmd, err := postgres.BaseBackupCommand(postgres.BaseBackup{Source: peer, Slot: slot})
	if err != nil {
		return err
	}
	err = c.runJob(ctx, name, *standby, cmd)
	if errors.Is(err, postgres.ErrDataExists) {
		return nil // the copy finished before a crash of the cloud; the standby starts from it
	}
	return err
}

// syncOn makes the primary wait for its standby: the flag is recorded, the primary's file rendered with the
// standby in synchronous_standby_names and reloaded, and the primary's WAL position right after the reload
// kept as the point the standby must have flushed before it counts as synchronous (every commit
// acknowledged without waiting for it is below that point).
func (c *Controller) syncOn(ctx context.Context, name string) error {
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) { s.HA.SyncOn = true })
	}); err != nil {
		return err
	}
	var from postgres.LSN
	if err := c.reloadPrimary(ctx, name, func(s Session) error {
		_, cur, err := s.Replication(ctx)
		from = cur
		return err
	}); err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			if s.HA.SyncFrom == 0 {
				s.HA.SyncFrom = uint64(from)
			}
		})
	})
}

// awaitSync waits until the primary reports its standby synchronous and caught up to the point recorded by
// syncOn, then records the standby as the one an automatic failover may promote: the server is Healthy.
func (c *Controller) awaitSync(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	standby, ok := s.Standby()
	if !ok {
		return fmt.Errorf("server %s has no standby to wait for", name)
	}
	app, err := standbyName(*standby)
	if err != nil {
		return err
	}
	from := postgres.LSN(s.HA.SyncFrom)
	primary, _ := s.Primary()
	if err := c.pollReplication(ctx, name, *primary, func(rows []postgres.Replica, _ postgres.LSN) bool {
		return synchronousAndCaughtUp(rows, app, from)
	}); err != nil {
		return fmt.Errorf("the standby of %s did not become synchronous within %s: %w", name, syncTimeout, err)
	}
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			s.HA.SyncStandby, s.HA.SyncFrom, s.HA.State = standby.Name, 0, spec.HAStateHealthy
			if rec, ok := s.Instance(standby.Name); ok {
				// It streams from the primary, so it follows the server's timeline now.
				rec.Timeline = max(s.HA.Timeline, 1)
			}
		})
	})
}

// pollReplication reads the primary's pg_stat_replication until done says the standby is where it should
// be, or ctx ends.
func (c *Controller) pollReplication(ctx context.Context, name string, primary store.Instance,
	done func(rows []postgres.Replica, current postgres.LSN) bool) error {
	return c.withInstanceSession(ctx, name, primary, func(sess Session) error {
		tick := time.NewTicker(syncPollInterval)
		defer tick.Stop()
		for {
			rows, cur, err := sess.Replication(ctx)
			if err != nil {
				return err
			}
			if done(rows, cur) {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
	})
}

// synchronousAndCaughtUp reports whether the standby named app is the primary's synchronous standby and has
// flushed everything up to from.
func synchronousAndCaughtUp(rows []postgres.Replica, app string, from postgres.LSN) bool {
	for _, r := range rows {
		if r.ApplicationName == app && r.State == "streaming" && r.SyncState == "sync" && r.Flush >= from {
			return true
		}
	}
	return false
}

// removeStandbySteps take a server's standby away (HA disabled): the primary stops waiting for it first
// (the record says no failover may promote it before the primary does), then its container, volume and slot
// go. ha_state is RemovingStandby meanwhile and NotEnabled after.
func (c *Controller) removeStandbySteps(name string) []step {
	return []step{
		{"syncOff", func(ctx context.Context, r *run) error { return c.syncOff(ctx, name, spec.HAStateRemovingStandby) }},
		{"removeStandbyContainer", func(ctx context.Context, r *run) error {
			return c.withStandby(name, func(in store.Instance) error { return c.cfg.Runtime.RemoveContainer(ctx, in.Container) })
		}},
		{"removeStandbyVolume", func(ctx context.Context, r *run) error {
			return c.withStandby(name, func(in store.Instance) error { return c.cfg.Runtime.RemoveVolume(ctx, in.Volume) })
		}},
		{"dropStandbySlot", func(ctx context.Context, r *run) error {
			return c.withStandby(name, func(in store.Instance) error {
				slot, err := standbyName(in)
				if err != nil {
					return err
				}
				return c.withSession(ctx, name, func(s Session) error { return s.DropSlot(ctx, slot) })
			})
		}},
		{"forgetStandby", func(ctx context.Context, r *run) error {
			return c.store.Update(func(tx *store.Tx) error {
				return updateServer(tx, name, func(s *store.Server) {
					if in, ok := s.Standby(); ok {
						s.RemoveInstance(in.Name)
					}
					s.HA = store.HA{Timeline: s.HA.Timeline, Failovers: s.HA.Failovers}
				})
			})
		}},
	}
}

// syncOff makes the primary stop waiting for a standby. The record goes first: the standby is no longer
// one a failover may promote before the primary can acknowledge a commit without it.
func (c *Controller) syncOff(ctx context.Context, name, state string) error {
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			s.HA.SyncStandby, s.HA.SyncOn, s.HA.SyncFrom, s.HA.State = "", false, 0, state
		})
	}); err != nil {
		return err
	}
	return c.reloadPrimary(ctx, name, nil)
}

// reloadPrimary renders the primary's files and reloads them, then runs then (if not nil) on the same
// session. A primary that is down reads the files when it starts.
func (c *Controller) reloadPrimary(ctx context.Context, name string, then func(Session) error) error {
	primary, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st, primary); err != nil {
		return err
	}
	if info, err := c.cfg.Runtime.InspectContainer(ctx, primary.Container); err != nil || !info.Running {
		return err
	}
	return c.withInstanceSession(ctx, name, primary, func(s Session) error {
		if err := s.Reload(ctx); err != nil || then == nil {
			return err
		}
		return then(s)
	})
}

// withStandby runs fn on the server's standby, if it has one.
func (c *Controller) withStandby(name string, fn func(store.Instance) error) error {
	in, err := c.standbyOf(name)
	if errors.Is(err, errNoStandby) {
		return nil
	}
	if err != nil {
		return err
	}
	return fn(in)
}

var errNoStandby = errors.New("the server has no standby")

// standbyOf returns the server's standby as recorded.
func (c *Controller) standbyOf(name string) (store.Instance, error) {
	s, err := c.getServer(name)
	if err != nil {
		return store.Instance{}, err
	}
	in, ok := s.Standby()
	if !ok {
		return store.Instance{}, fmt.Errorf("server %s: %w", name, errNoStandby)
	}
	return *in, nil
}

func (c *Controller) getServer(name string) (store.Server, error) {
	var s store.Server
	err := c.store.View(func(tx *store.Tx) error {
		var err error
		s, err = tx.GetServer(name)
		return err
	})
	return s, err
}

// setHAState records the server's ha_state.
func (c *Controller) setHAState(name, state string) error {
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) { s.HA.State = state })
	})
}

func updateServerErr(tx *store.Tx, name string, fn func(*store.Server) error) error {
	s, err := tx.GetServer(name)
	if err != nil {
		return err
	}
	if err := fn(&s); err != nil {
		return err
	}
	return tx.PutServer(s)
}
