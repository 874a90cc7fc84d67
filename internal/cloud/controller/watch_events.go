package controller

import (
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// resubscribeDelay is the pause before the watcher subscribes to the engine's events again after the stream
// ended (the engine restarted, say); the periodic looks go on meanwhile.
const resubscribeDelay = time.Second

// watchLoop looks at every server each watchInterval, and at once when the engine reports that one of the
// cloud's server containers died, was killed or paused: a dead primary is then acted on within tens of
// milliseconds instead of at the next tick.
func (c *Controller) watchLoop() {
	defer c.wg.Done()
	wake := make(chan struct{}, 1)
	c.wg.Add(1)
	go c.watchEngineEvents(wake)
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-tick.C:
		case <-wake:
		}
		c.watchOnce(c.ctx)
	}
}

// watchEngineEvents forwards the engine's events about the cloud's server containers to wake, subscribing
// again whenever the stream ends.
func (c *Controller) watchEngineEvents(wake chan<- struct{}) {
	defer c.wg.Done()
	match := runtime.Labels{runtime.LabelCloud: c.cfg.CloudID, runtime.LabelRole: "server"}
	for c.ctx.Err() == nil {
		events, errs := c.cfg.Runtime.Events(c.ctx, match)
		for ev := range events {
			if wakesWatcher(ev.Action) {
				select {
				case wake <- struct{}{}:
				default: // a look is already due
				}
			}
		}
		if err := <-errs; err != nil {
			c.log.Warn("engine events ended; subscribing again", "err", err)
		}
		select {
		case <-c.ctx.Done():
		case <-time.After(resubscribeDelay):
		}
	}
}

// wakesWatcher says which container events may mean an instance went down.
func wakesWatcher(a runtime.EventAction) bool {
	switch a {
	case runtime.ActionDie, runtime.ActionKill, runtime.ActionOOM, runtime.ActionPause, runtime.ActionStop, runtime.ActionDestroy:
		return true
	}
	return false
}
