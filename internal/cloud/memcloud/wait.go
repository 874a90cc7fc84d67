package memcloud

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// pollInterval is how often a wait reads the store: operations of this cloud take milliseconds.
const pollInterval = 5 * time.Millisecond

// WaitServer waits until the server's record satisfies done, or ctx ends, and returns the record. A server
// that does not exist is passed to done as store.ErrNotFound.
func (c *Cloud) WaitServer(ctx context.Context, name string, done func(store.Server, error) bool) (store.Server, error) {
	var s store.Server
	var err error
	werr := poll(ctx, func() bool {
		s, err = c.Server(name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return true // a broken store is no state to wait for
		}
		return done(s, err)
	})
	if werr != nil {
		return s, fmt.Errorf("memcloud: server %s (phase %s, operation %q): %w", name, s.Phase, s.ActiveOp, werr)
	}
	return s, err
}

// WaitIdle waits until no operation is running, or ctx ends.
func (c *Cloud) WaitIdle(ctx context.Context) error {
	var running []string
	var err error
	werr := poll(ctx, func() bool {
		running, err = c.running()
		return err != nil || len(running) == 0
	})
	if werr != nil {
		return fmt.Errorf("memcloud: operations still running %v: %w", running, werr)
	}
	return err
}

// running lists the kinds and resources of the running operations.
func (c *Cloud) running() ([]string, error) {
	var out []string
	err := c.store.View(func(tx *store.Tx) error {
		ops, err := tx.ListOperations()
		for _, op := range ops {
			if op.Status == model.OperationRunning {
				out = append(out, op.Kind+" "+op.ResourceID)
			}
		}
		return err
	})
	return out, err
}

// poll calls done until it reports true or ctx ends.
func poll(ctx context.Context, done func() bool) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for !done() {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}
