package controller

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// watchInterval is how often the watcher looks at every running server. A probe that finds no PostgreSQL
// counts once per interval, so detection of a hung instance takes about Confirm intervals; a container the
// engine reports dead is acted on at the next look.
const watchInterval = time.Second

// probeTimeout bounds one probe: an instance that does not answer a management connection within it has
// failed that probe.
const probeTimeout = 900 * time.Millisecond

// watchState is what the watcher remembers between looks: failed probes in a row per container, and when a
// server whose recovery failed may be tried again.
type watchState struct {
	mu       sync.Mutex
	failures map[string]int
	since    map[string]time.Time // when the failures in a row began
	retryAt  map[string]time.Time
	failed   map[string]int // recoveries in a row that failed, per server
}

// probed records a probe and returns the failures in a row and how long they have lasted.
func (w *watchState) probed(container string, ok bool, now time.Time) (int, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failures == nil {
		w.failures, w.since = map[string]int{}, map[string]time.Time{}
	}
	if ok {
		delete(w.failures, container)
		delete(w.since, container)
		return 0, 0
	}
	if w.failures[container] == 0 {
		w.since[container] = now
	}
	w.failures[container]++
	return w.failures[container], now.Sub(w.since[container])
}

func (w *watchState) forget(container string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.failures, container)
	delete(w.since, container)
}

func (w *watchState) mayTry(server string, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !now.Before(w.retryAt[server])
}

// backOff records a failed recovery: the next try waits twice as long as the last, from policy.Backoff up
// to policy.MaxBackoff. A recovery usually fails because the instance died again meanwhile, so the first
// retry comes soon; one that keeps failing (a volume PostgreSQL cannot start on) is not retried in a loop.
func (w *watchState) backOff(server string, now time.Time, policy watchPolicy) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.retryAt == nil {
		w.retryAt, w.failed = map[string]time.Time{}, map[string]int{}
	}
	wait := policy.Backoff << min(w.failed[server], 8)
	w.failed[server]++
	w.retryAt[server] = now.Add(min(wait, policy.MaxBackoff))
}

// recovered forgets the failures of a server that is running again.
func (w *watchState) recovered(server string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.retryAt, server)
	delete(w.failed, server)
}

// watchOnce looks at every server that should be running and that no operation holds, all at once (a hung
// instance's probe must not delay the others), and starts what decideWatch says.
func (c *Controller) watchOnce(ctx context.Context) {
	servers, err := c.listServers()
	if err != nil {
		c.log.Warn("watch: list servers", "err", err)
		return
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		if !watched(s) {
			continue
		}
		wg.Add(1)
		go func(s store.Server) {
			defer wg.Done()
			c.watchServer(ctx, s)
		}(s)
	}
	wg.Wait()
}

// watched reports whether the watcher looks after a server: it is meant to run and nothing else acts on it.
// A server whose recovery failed shows the phase the engine left it in, and is tried again after a while.
func watched(s store.Server) bool {
	if s.ActiveOp != "" || s.Spec.State == store.PhaseStopped || len(s.Instances) == 0 {
		return false
	}
	return s.Phase == store.PhaseReady || s.Phase == store.PhaseStopped || s.Phase == store.PhaseFailed
}

func (c *Controller) watchServer(ctx context.Context, s store.Server) {
	name := s.Spec.Name
	primary, ok := s.Primary()
	if !ok {
		return
	}
	down, err := c.downZones()
	if err != nil {
		c.log.Warn("watch: zones", "err", err)
		return
	}
	f := watchFacts{
		Primary:         c.instanceHealth(ctx, name, *primary),
		PrimaryZoneDown: down[zoneKey(s.Spec.Location, primary.Zone)],
		Healthy:         s.HA.State == spec.HAStateHealthy,
	}
	var standby *store.Instance
	if sb, ok := s.Standby(); ok {
		standby = sb
		h := c.instanceHealth(ctx, name, *sb)
		f.Standby, f.StandbyZoneDown = &h, down[zoneKey(s.Spec.Location, sb.Zone)]
		_, err := choosePromotion(promotionFacts{Mode: FailoverAutomatic, ServerTimeline: s.HA.Timeline, PrimaryFenced: true,
			Candidates: []candidate{{Name: sb.Name, Healthy: !h.down() && h.ProbeFailures == 0, ZoneDown: f.StandbyZoneDown,
				RecordedSync: s.HA.SyncStandby == sb.Name, Timeline: sb.Timeline, LagBytes: -1}}})
		f.Promotable = err == nil
	}
	action := decideWatch(f, defaultWatchPolicy)
	if action == watchNothing && !f.Primary.down() {
		c.watchReplication(ctx, s, *primary)
	}
	if action == watchNothing || !c.watching.mayTry(name, c.now()) {
		return
	}
	var kind string
	var payload any
	switch action {
	case watchRecover:
		c.log.Warn("the primary instance is down: recovering it on its own volume", "server", name,
			"instance", primary.Name, "container_exists", f.Primary.Exists, "running", f.Primary.Running,
			"paused", f.Primary.Paused, "failed_probes", f.Primary.ProbeFailures)
		kind, payload = KindServerRecover, RecoverPayload{Fence: f.Primary.Exists && f.Primary.Running}
	case watchFailover:
		c.log.Warn("the primary instance is down: failing over to the synchronous standby", "server", name,
			"from", primary.Name, "to", standby.Name, "zone_down", f.PrimaryZoneDown, "running", f.Primary.Running,
			"paused", f.Primary.Paused, "failed_probes", f.Primary.ProbeFailures)
		kind, payload = KindServerFailover, FailoverPayload{Mode: FailoverAutomatic, From: primary.Name, To: standby.Name}
	case watchRepairStandby:
		c.log.Warn("the standby is lost or not synchronous: repairing it", "server", name, "instance", standby.Name,
			"zone_down", f.StandbyZoneDown, "running", f.Standby.Running, "failed_probes", f.Standby.ProbeFailures)
		kind, payload = KindStandbyRepair, nil
	}
	if err := c.startWatchOperation(name, kind, payload); err != nil && !errors.Is(err, errServerHeld) {
		c.log.Error("start "+kind, "server", name, "err", err)
	}
}

// instanceHealth asks the engine about the instance's container and, when it runs, probes PostgreSQL.
func (c *Controller) instanceHealth(ctx context.Context, name string, in store.Instance) instanceHealth {
	info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container)
	if errors.Is(err, runtime.ErrNotFound) {
		c.watching.forget(in.Container)
		return instanceHealth{}
	}
	if err != nil {
		// The engine did not answer: nothing is known, so nothing is decided on it.
		c.log.Warn("watch: inspect container", "server", name, "err", err)
		return instanceHealth{Exists: true, Running: true}
	}
	h := instanceHealth{Exists: true, Running: info.Running, Paused: info.Paused}
	if !info.Running {
		c.watching.forget(in.Container)
		return h
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	ok := !info.Paused && c.probe(pctx, name, in) == nil
	h.ProbeFailures, h.FailingFor = c.watching.probed(in.Container, ok, c.now())
	return h
}

// probe opens and closes one management session: PostgreSQL is up and answers.
func (c *Controller) probe(ctx context.Context, name string, in store.Instance) error {
	ip, err := c.containerAddr(ctx, name, in)
	if err != nil {
		return err
	}
	tlsConfig, err := c.managementTLS(name)
	if err != nil {
		return err
	}
	return c.cfg.Postgres.Probe(ctx, ip, tlsConfig)
}

// errServerHeld means another operation took the server first; the watcher looks again next time.
var errServerHeld = errors.New("the server is held by another operation")

// startWatchOperation holds the server with an operation of kind, in one transaction that checks the
// server is still unheld and running as the watcher saw it.
func (c *Controller) startWatchOperation(name, kind string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	var op store.Operation
	err = c.store.Update(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		if err != nil {
			return err
		}
		if !watched(s) {
			return errServerHeld
		}
		op = c.NewOperation(kind, serverResource(name), name, body)
		phase := store.PhaseUpdating
		if kind == KindServerRecover {
			phase = store.PhaseRestarting
		}
		return tx.HoldServer(s, op, phase)
	})
	if err != nil {
		return err
	}
	c.launch(op)
	return nil
}
