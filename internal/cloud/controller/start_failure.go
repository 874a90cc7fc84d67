package controller

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// exitPollInterval is how often a starting instance's container is checked for having exited.
const exitPollInterval = 200 * time.Millisecond

// startLogTail is how much of the container's log is read for PostgreSQL's reason (the failed start and the
// end of the run before it).
const startLogTail = 200

// startFailure is a start PostgreSQL gave up on: its container exited before it accepted connections.
type startFailure struct {
	exitCode int
	// reason is PostgreSQL's own error lines from the log (postgres.StartError), "" when it logged none.
	reason string
}

func (e *startFailure) Error() string {
	if e.reason == "" {
		return fmt.Sprintf("PostgreSQL exited with code %d before accepting connections and logged no error "+
			"(it may have been killed for memory)", e.exitCode)
	}
	return fmt.Sprintf("PostgreSQL exited with code %d before accepting connections: %s", e.exitCode, e.reason)
}

// awaitStart waits for a just started instance to accept a management session. PostgreSQL that refuses to
// start exits at once, so the container is watched meanwhile: its exit ends the wait with PostgreSQL's
// reason (a *startFailure) instead of running into the ready timeout.
func (c *Controller) awaitStart(ctx context.Context, name string, in store.Instance) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go c.cancelOnExit(wctx, in.Container, cancel)
	err := c.withInstanceSession(wctx, name, in, func(Session) error { return nil })
	if err == nil {
		return nil
	}
	if info, ierr := c.cfg.Runtime.InspectContainer(ctx, in.Container); ierr == nil && !info.Running {
		return c.startFailure(ctx, in.Container, info.ExitCode)
	}
	return err
}

// cancelOnExit calls cancel when the container stops running, and returns when ctx ends.
func (c *Controller) cancelOnExit(ctx context.Context, container string, cancel context.CancelFunc) {
	tick := time.NewTicker(exitPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		info, err := c.cfg.Runtime.InspectContainer(ctx, container)
		if err == nil && !info.Running {
			cancel()
			return
		}
	}
}

// startFailure reads PostgreSQL's reason from the end of the container's log.
func (c *Controller) startFailure(ctx context.Context, container string, exitCode int) *startFailure {
	var log bytes.Buffer
	if err := c.cfg.Runtime.Logs(ctx, container, startLogTail, false, &log); err != nil {
		c.log.Warn("read the log of a failed start", "container", container, "err", err)
	}
	return &startFailure{exitCode: exitCode, reason: postgres.StartError(log.String())}
}
