package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// promoteWait bounds how long a promotion may take (the standby replays what it has first).
const promoteWait = 60 * time.Second

// catchUpTimeout bounds a planned failover's wait for the standby to catch up before it starts: a
// synchronous standby is caught up within moments.
const catchUpTimeout = time.Minute

// drainGrace is how long a planned failover lets the old primary's fast shutdown take: it sends the last WAL
// to the standby before it exits.
const drainGrace = 30 * time.Second

// FailoverPayload is the input of a failover: how it was asked for, and the instances it moves the primary
// between, decided when the operation was created so that a resumed operation never decides again.
type FailoverPayload struct {
	Mode string `json:"mode"`
	From string `json:"from"`
	To   string `json:"to"`
}

// planServerFailover is seed 002's failover: the old primary is fenced (stopped cleanly after catch-up for a
// planned failover, killed for the others) before the standby is promoted, so it can never acknowledge
// another write; the endpoint and the private DNS record move to the new primary, which serves writes
// while the old one comes back as its standby (pg_rewind, or a new copy) and becomes synchronous again.
func (c *Controller) planServerFailover(op store.Operation) (plan, error) {
	var p FailoverPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{steps: c.failoverSteps(op.Server, p), finish: func(tx *store.Tx, r *run) error {
		return updateServer(tx, op.Server, func(s *store.Server) { markRunning(s) })
	}, abandon: func(tx *store.Tx, r *run) error { return abandonFailover(tx, op.Server) }}, nil
}

// failoverSteps are the steps of a failover; a planned failover in a server update uses them too.
func (c *Controller) failoverSteps(name string, p FailoverPayload) []step {
	steps := []step{
		{"checkStandby", func(ctx context.Context, r *run) error { return c.checkTarget(ctx, name, p) }},
		{"failoverBegin", func(ctx context.Context, r *run) error { return c.setHAState(name, spec.HAStateFailingOver) }},
	}
	if p.Mode == FailoverPlanned {
		steps = append(steps,
			step{"catchUp", func(ctx context.Context, r *run) error { return c.awaitCatchUp(ctx, name, p) }},
			step{"drain", func(ctx context.Context, r *run) error { return c.drainPrimary(ctx, name, p) }})
	}
	return append(steps,
		step{"fence", func(ctx context.Context, r *run) error { return c.fence(ctx, name, p) }},
		step{"promote", func(ctx context.Context, r *run) error { return c.promote(ctx, name, p) }},
		step{"swapRoles", func(ctx context.Context, r *run) error { return c.swapRoles(name, p) }},
		step{"openPrimary", func(ctx context.Context, r *run) error { return c.openNewPrimary(ctx, name, p) }},
		step{"repoint", func(ctx context.Context, r *run) error { return c.repoint(ctx, name) }},
		step{"rejoin", func(ctx context.Context, r *run) error { return c.rejoin(ctx, name) }},
		step{"resyncOn", func(ctx context.Context, r *run) error { return c.syncOn(ctx, name) }},
		step{"resync", func(ctx context.Context, r *run) error { return c.awaitSync(ctx, name) }},
	)
}

// abandonFailover settles a failover that failed. Before the roles were swapped nothing changed: the state
// says what the instances are. After, the server runs on its new primary without a synchronous standby,
// which the watcher repairs.
func abandonFailover(tx *store.Tx, name string) error {
	return updateServer(tx, name, func(s *store.Server) {
		if s.HA.SyncStandby == "" {
			s.HA.State = spec.HAStateReplicatingData
		} else {
			s.HA.State = spec.HAStateHealthy
		}
		s.Phase = store.PhaseReady
	})
}

// instancePair returns the failover's two instances as recorded.
func (c *Controller) instancePair(name string, p FailoverPayload) (from, to store.Instance, err error) {
	s, err := c.getServer(name)
	if err != nil {
		return from, to, err
	}
	f, okF := s.Instance(p.From)
	t, okT := s.Instance(p.To)
	if !okF || !okT {
		return from, to, fmt.Errorf("server %s no longer has instances %s and %s", name, p.From, p.To)
	}
	return *f, *t, nil
}

// targetCheckTimeout bounds the check that the standby answers before a failover begins.
const targetCheckTimeout = 3 * time.Second

// checkTarget refuses a failover whose standby does not answer (it died since the server was last seen
// Healthy): nothing has changed yet, and the watcher repairs the standby. A resumed failover past the role
// swap has nothing to check.
func (c *Controller) checkTarget(ctx context.Context, name string, p FailoverPayload) error {
	_, to, err := c.instancePair(name, p)
	if err != nil || to.Role == store.RolePrimary {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, targetCheckTimeout)
	defer cancel()
	if err := c.probe(ctx, name, to); err != nil {
		return &OpError{Code: model.CodeConflict, Message: fmt.Sprintf(
			"the standby of %s does not answer (%v): nothing was failed over; the cloud repairs the standby, retry when ha_state is Healthy", name, err)}
	}
	return nil
}

// awaitCatchUp waits until the standby has flushed everything the primary wrote (seed 002, planned step 1).
func (c *Controller) awaitCatchUp(ctx context.Context, name string, p FailoverPayload) error {
	from, to, err := c.instancePair(name, p)
	if err != nil || from.Role != store.RolePrimary {
		return err // the roles were swapped already: a resumed failover past this point
	}
	app, err := standbyName(to)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	if err := c.pollReplication(ctx, name, from, func(rows []postgres.Replica, cur postgres.LSN) bool {
		return synchronousAndCaughtUp(rows, app, cur)
	}); err != nil {
		return &OpError{Code: model.CodeConflict, Message: fmt.Sprintf(
			"the standby of %s did not catch up within %s (%v); the planned failover did not start", name, catchUpTimeout, err)}
	}
	return nil
}

// drainPrimary stops the old primary with a fast shutdown: new writes are refused from here on (seed 002,
// planned step 3), and its WAL sender sends what is left, the shutdown checkpoint included, to the
// synchronous standby before PostgreSQL exits. Clients are disconnected and reconnect to the new primary.
func (c *Controller) drainPrimary(ctx context.Context, name string, p FailoverPayload) error {
	from, to, err := c.instancePair(name, p)
	if err != nil || from.Role != store.RolePrimary {
		return err
	}
	var last postgres.LSN
	if info, err := c.cfg.Runtime.InspectContainer(ctx, from.Container); err == nil && info.Running {
		if err := c.withInstanceSession(ctx, name, from, func(s Session) error {
			_, cur, err := s.Replication(ctx)
			last = cur
			return err
		}); err != nil {
			return err
		}
	}
	if err := c.cfg.Runtime.StopContainer(ctx, from.Container, drainGrace); err != nil && !errors.Is(err, runtime.ErrNotFound) {
		return fmt.Errorf("stop the primary: %w", err)
	}
	// Everything the primary wrote before it stopped taking writes is replayed on the standby before it is
	// promoted, so the promotion opens with all of it (a restart of the cloud here finds the primary stopped
	// and only relies on the synchronous flush).
	return c.withInstanceSession(ctx, name, to, func(s Session) error { return s.WaitReplayed(ctx, last) })
}

// fence makes sure the old primary can never acknowledge another write: its container is killed (a paused
// one too: the kill is delivered as it thaws) and the engine must confirm it no longer runs. Without that
// confirmation nothing is promoted.
func (c *Controller) fence(ctx context.Context, name string, p FailoverPayload) error {
	from, _, err := c.instancePair(name, p)
	if err != nil {
		return err
	}
	if from.Role != store.RolePrimary {
		return nil // a resumed failover after the roles were swapped: fenced then
	}
	if private, err := c.isPrivate(name); err == nil && !private {
		if err := c.cfg.Endpoints.SetBackend(name, ""); err != nil {
			return err
		}
	}
	if err := c.cfg.Runtime.KillContainer(ctx, from.Container, "SIGKILL"); err != nil &&
		!errors.Is(err, runtime.ErrNotFound) && !errors.Is(err, runtime.ErrConflict) {
		return fmt.Errorf("fence the old primary: %w", err)
	}
	info, err := c.cfg.Runtime.InspectContainer(ctx, from.Container)
	switch {
	case errors.Is(err, runtime.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("confirm the old primary is fenced: %w", err)
	case info.Running:
		return fmt.Errorf("the old primary's container %s still runs after the kill; not promoting", from.Container)
	}
	return nil
}

// promote promotes the standby, unless a resumed failover finds it promoted already, and checks that it
// moved to a timeline above every timeline the server had: timelines strictly increase.
func (c *Controller) promote(ctx context.Context, name string, p FailoverPayload) error {
	_, to, err := c.instancePair(name, p)
	if err != nil {
		return err
	}
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	return c.withInstanceSession(ctx, name, to, func(sess Session) error {
		st, err := sess.Status(ctx)
		if err != nil {
			return err
		}
		if st.InRecovery {
			if err := sess.Promote(ctx, promoteWait); err != nil {
				return fmt.Errorf("promote the standby: %w", err)
			}
			if st, err = sess.Status(ctx); err != nil {
				return err
			}
		}
		if st.InRecovery {
			return fmt.Errorf("the standby is still in recovery after its promotion")
		}
		if int(st.Timeline) <= max(s.HA.Timeline, 1) && to.Role != store.RolePrimary {
			return fmt.Errorf("the promoted standby is on timeline %d, not above the server's %d", st.Timeline, max(s.HA.Timeline, 1))
		}
		return c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, name, func(s *store.Server) {
				if rec, ok := s.Instance(to.Name); ok {
					rec.Timeline = int(st.Timeline)
				}
				s.HA.Timeline = max(s.HA.Timeline, int(st.Timeline))
			})
		})
	})
}

// swapRoles records the new primary and the old one as the standby to be, and that no standby is
// synchronous: the new primary acknowledges commits on its own until its standby is back, and until then no
// automatic failover may promote anything. zone and the standby zone read back swapped, as the service
// reports them after a failover.
func (c *Controller) swapRoles(name string, p FailoverPayload) error {
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			from, okF := s.Instance(p.From)
			to, okT := s.Instance(p.To)
			if !okF || !okT || to.Role == store.RolePrimary {
				return
			}
			to.Role, from.Role = store.RolePrimary, store.RoleStandby
			s.HA.SyncOn, s.HA.SyncStandby, s.HA.SyncFrom = false, "", 0
			s.HA.Failovers++
			s.Spec.Zone = to.Zone
			if ha := s.Spec.HighAvailability; ha != nil && ha.StandbyAvailabilityZone != "" {
				ha.StandbyAvailabilityZone = from.Zone
			}
		})
	})
}

// openNewPrimary gives the new primary a primary's files (users may connect; no standby to wait for yet)
// and reloads them.
func (c *Controller) openNewPrimary(ctx context.Context, name string, p FailoverPayload) error {
	return c.reloadPrimary(ctx, name, nil)
}

// repoint moves the host endpoint (public access) or the private DNS record (which reads the primary's
// recorded address) to the new primary. The application's downtime ends here.
func (c *Controller) repoint(ctx context.Context, name string) error {
	primary, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	if err := c.recordAddress(ctx, name, primary); err != nil {
		return err
	}
	if err := c.followNewPrimary(ctx, name); err != nil {
		return err
	}
	if private, err := c.isPrivate(name); err != nil || private {
		return err
	}
	return c.refreshEndpoint(ctx, name)
}

// rejoin brings the old primary back as the standby of the new one: pg_rewind turns its data into the new
// primary's past, or, when that cannot be done, a new copy replaces it. An instance whose zone is down is
// replaced by a new standby in a zone that is up.
func (c *Controller) rejoin(ctx context.Context, name string) error {
	if err := c.setHAState(name, spec.HAStateReplicatingData); err != nil {
		return err
	}
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	standby, ok := s.Standby()
	if !ok {
		return fmt.Errorf("server %s has no standby to rejoin", name)
	}
	down, err := c.downZones()
	if err != nil {
		return err
	}
	if down[zoneKey(s.Spec.Location, standby.Zone)] {
		return c.replaceStandby(ctx, name)
	}
	return c.restoreStandby(ctx, name, *standby)
}

// restoreStandby makes an existing standby instance stream from the primary again: its slot on the primary,
// its files, pg_rewind (or a new copy), and a start.
func (c *Controller) restoreStandby(ctx context.Context, name string, in store.Instance) error {
	slot, err := standbyName(in)
	if err != nil {
		return err
	}
	if err := c.withSession(ctx, name, func(s Session) error { return s.EnsureSlot(ctx, slot) }); err != nil {
		return err
	}
	if err := c.cfg.Runtime.StopContainer(ctx, in.Container, drainGrace); err != nil && !errors.Is(err, runtime.ErrNotFound) {
		return err
	}
	if _, err := c.cfg.Runtime.InspectContainer(ctx, in.Container); errors.Is(err, runtime.ErrNotFound) {
		image, err := c.serverImage(ctx, name)
		if err != nil {
			return err
		}
		if err := c.ensureContainer(ctx, name, in, image); err != nil {
			return err
		}
	}
	primary, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	peer, err := primaryPeer(name, primary)
	if err != nil {
		return err
	}
	cmd, err := postgres.RewindCommand(postgres.Rewind{Source: peer})
	if err != nil {
		return err
	}
	err = c.runJob(ctx, name, in, cmd)
	if errors.Is(err, postgres.ErrRebuild) {
		c.log.Warn("the old primary cannot be rewound; copying the primary instead", "server", name, "instance", in.Name, "err", err)
		err = c.recopy(ctx, name, in)
	}
	if err != nil {
		return err
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st, in); err != nil {
		return err
	}
	return c.startInstance(ctx, name, in)
}

// recopy replaces an instance's data with a new base backup of the primary, on a new empty volume.
func (c *Controller) recopy(ctx context.Context, name string, in store.Instance) error {
	if err := c.cfg.Runtime.RemoveContainer(ctx, in.Container); err != nil {
		return err
	}
	if err := c.cfg.Runtime.RemoveVolume(ctx, in.Volume); err != nil {
		return err
	}
	if err := c.cfg.Runtime.CreateVolume(ctx, runtime.VolumeSpec{Name: in.Volume, Labels: c.labels(serverResource(name), "data")}); err != nil {
		return err
	}
	if err := c.baseBackup(ctx, name); err != nil {
		return err
	}
	image, err := c.serverImage(ctx, name)
	if err != nil {
		return err
	}
	return c.ensureContainer(ctx, name, in, image)
}

// replaceStandby removes the standby instance and builds a new one in a zone that is up, inside the step
// that called it: the removal and standby steps it runs keep nothing in the run (they read and write the
// store), so they are called without one, and a resumed step runs them again idempotently.
func (c *Controller) replaceStandby(ctx context.Context, name string) error {
	for _, s := range c.removeStandbySteps(name)[1:] { // sync is off already
		if err := s.do(ctx, nil); err != nil {
			return err
		}
	}
	if err := c.setHAState(name, spec.HAStateInitializing); err != nil {
		return err
	}
	for _, s := range c.standbySteps(name) {
		if s.name == "syncOn" {
			break // the failover's own steps turn sync on and wait for it
		}
		if err := s.do(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// primaryPeer is how another instance reaches the primary.
func primaryPeer(name string, primary store.Instance) (postgres.Peer, error) {
	addr, err := netip.ParseAddr(primary.IP)
	if err != nil {
		return postgres.Peer{}, fmt.Errorf("the primary of %s has no recorded address: %w", name, err)
	}
	return postgres.Peer{Host: spec.ServerFQDN(name), Addr: addr, Port: postgres.Port}, nil
}

// planStandbyRepair brings back a standby the watcher found lost or not synchronous: the primary stops
// waiting for it (and the record says it may not be promoted) first, then it is restarted and rewound, or
// replaced when its zone is down, and made synchronous again.
func (c *Controller) planStandbyRepair(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: []step{
			{"syncOff", func(ctx context.Context, r *run) error { return c.syncOff(ctx, name, spec.HAStateReplicatingData) }},
			{"restoreStandby", func(ctx context.Context, r *run) error { return c.rejoin(ctx, name) }},
			{"resyncOn", func(ctx context.Context, r *run) error { return c.syncOn(ctx, name) }},
			{"resync", func(ctx context.Context, r *run) error { return c.awaitSync(ctx, name) }},
		},
		finish: func(tx *store.Tx, r *run) error {
			c.watching.recovered(name)
			return updateServer(tx, name, func(s *store.Server) { markRunning(s) })
		},
		abandon: func(tx *store.Tx, r *run) error {
			c.watching.backOff(name, c.now(), defaultWatchPolicy)
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseReady })
		},
	}, nil
}
