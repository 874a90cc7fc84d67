package controller

import (
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// AutoStartAfter is how long a stopped server stays stopped: the service starts it again after seven days.
const AutoStartAfter = 7 * 24 * time.Hour

// housekeepingInterval is how often the cloud looks for work nobody asked for (auto-start).
const housekeepingInterval = 15 * time.Second

// every calls fn every interval until the controller closes; Start runs it in its own goroutine.
func (c *Controller) every(interval time.Duration, fn func()) {
	defer c.wg.Done()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}

// listServers reads every server record.
func (c *Controller) listServers() ([]store.Server, error) {
	var servers []store.Server
	err := c.store.View(func(tx *store.Tx) error {
		var err error
		servers, err = tx.ListServers()
		return err
	})
	return servers, err
}

// Housekeep starts every server that has been stopped for AutoStartAfter on the cloud's clock, and runs the
// storage guard. The API calls it after the clock is advanced, so tests need not wait.
func (c *Controller) Housekeep() {
	if c.ctx == nil || c.ctx.Err() != nil {
		return
	}
	var due []store.Operation
	err := c.store.Update(func(tx *store.Tx) error {
		servers, err := tx.ListServers()
		if err != nil {
			return err
		}
		for _, s := range servers {
			if !autoStartDue(s, c.now()) {
				continue
			}
			op := c.NewOperation(KindServerStart, serverResource(s.Spec.Name), s.Spec.Name, nil)
			if err := tx.HoldServer(s, op, store.PhaseStarting); err != nil {
				return err
			}
			due = append(due, op)
		}
		return nil
	})
	if err != nil {
		c.log.Error("housekeeping", "err", err)
		return
	}
	for _, op := range due {
		c.log.Info("starting a server stopped for 7 days, as the service does", "server", op.Server)
		c.launch(op)
	}
	c.guardStorage()
	c.HousekeepBackups()
}

// autoStartDue decides whether a server must be started because it has been stopped for too long.
func autoStartDue(s store.Server, now time.Time) bool {
	return s.Phase == store.PhaseStopped && s.ActiveOp == "" && s.StoppedAt != nil && !now.Before(s.StoppedAt.Add(AutoStartAfter))
}
