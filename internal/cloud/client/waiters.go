package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// consecutiveMatches is how many reads in a row must satisfy a waiter's condition. One read can catch a server
// between two steps (a failover flips state twice); two in a row, a poll interval apart, is settled.
const consecutiveMatches = 2

// WaitServerState polls GetServer until want holds on consecutiveMatches consecutive reads and returns the last
// read. A server that does not exist ends the wait with ErrNotFound. Retryable errors are absorbed as in Wait;
// a done ctx returns an error wrapping ctx.Err() with the server's last observed state.
func (c *Client) WaitServerState(ctx context.Context, name string, want func(*model.Server) bool) (*model.Server, error) {
	if want == nil {
		return nil, errors.New("flexpg cloud: WaitServerState called without a condition")
	}
	sched := c.newSchedule()
	var last *model.Server
	matches, failures := 0, 0
	for {
		s, err := c.GetServer(ctx, name)
		switch {
		case err == nil:
			failures = 0
			last = s
			if !want(s) {
				matches = 0
				break
			}
			matches++
			if matches >= consecutiveMatches {
				return s, nil
			}
			sched.reset() // confirm soon
		case ctx.Err() != nil:
			return nil, serverWaitAbandoned(name, last, ctx.Err())
		case retryable(err) && failures < maxConsecutiveErrors:
			failures++
			matches = 0
		default:
			return nil, fmt.Errorf("flexpg cloud: waiting for server %q: %w", name, err)
		}
		if err := sleep(ctx, sched.next()); err != nil {
			return nil, serverWaitAbandoned(name, last, err)
		}
	}
}

// WaitServerGone polls GetServer until the server no longer exists. A server that is already gone returns nil
// at once.
func (c *Client) WaitServerGone(ctx context.Context, name string) error {
	sched := c.newSchedule()
	var last *model.Server
	failures := 0
	for {
		s, err := c.GetServer(ctx, name)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil
		case err == nil:
			failures = 0
			last = s
		case ctx.Err() != nil:
			return serverWaitAbandoned(name, last, ctx.Err())
		case retryable(err) && failures < maxConsecutiveErrors:
			failures++
		default:
			return fmt.Errorf("flexpg cloud: waiting for server %q to be deleted: %w", name, err)
		}
		if err := sleep(ctx, sched.next()); err != nil {
			return serverWaitAbandoned(name, last, err)
		}
	}
}

func serverWaitAbandoned(name string, last *model.Server, ctxErr error) error {
	if last == nil {
		return fmt.Errorf("flexpg cloud: stopped waiting for server %q before reading it: %w", name, ctxErr)
	}
	return fmt.Errorf("flexpg cloud: stopped waiting for server %q (state %q, provisioning state %q): %w",
		name, last.State, last.ProvisioningState, ctxErr)
}
