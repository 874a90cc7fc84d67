package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// startOperation sends a mutation and returns the operation of its 202. The Retry-After of that answer is kept
// for the first poll of Wait.
func (c *Client) startOperation(ctx context.Context, r request) (*model.Operation, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	var op model.Operation
	if err := decode(resp, r.method, r.path, &op); err != nil {
		return nil, err
	}
	if op.ID == "" {
		// The body is the contract, but Location names the operation too; accept either.
		if loc := resp.header.Get("Location"); loc != "" {
			op.ID = path.Base(loc)
		}
	}
	if op.ID == "" && op.Status == model.OperationRunning {
		return nil, fmt.Errorf("flexpg cloud: %s %s: answer names no operation", r.method, r.path)
	}
	if d, ok := retryAfter(resp.header, time.Now()); ok && op.ID != "" {
		c.hints.put(op.ID, d)
	}
	return &op, nil
}

// GetOperation reads an operation.
func (c *Client) GetOperation(ctx context.Context, id string) (*model.Operation, error) {
	op, _, err := c.pollOperation(ctx, id)
	return op, err
}

// pollOperation reads an operation and the Retry-After the cloud suggests for the next read.
func (c *Client) pollOperation(ctx context.Context, id string) (*model.Operation, http.Header, error) {
	p, err := apiPath("operations", id)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.send(ctx, request{method: http.MethodGet, path: p})
	if err != nil {
		return nil, nil, err
	}
	var op model.Operation
	if err := decode(resp, http.MethodGet, p, &op); err != nil {
		return nil, nil, err
	}
	return &op, resp.header, nil
}

// Wait polls op until it succeeds (returns the final operation), fails (returns *OperationError) or ctx is done
// (returns an error wrapping ctx.Err() that names the operation and its last step, so the user can look it up).
// progress, if not nil, is called with the operation whenever its step changes. Up to 5 consecutive transport or
// 5xx errors are absorbed, because the cloud may be restarting and its operations survive that.
func (c *Client) Wait(ctx context.Context, op *model.Operation, progress func(model.Operation)) (*model.Operation, error) {
	if op == nil {
		return nil, errors.New("flexpg cloud: Wait called without an operation")
	}
	report := stepReporter(progress)
	report(*op)
	if done, err := finished(op); done {
		return op, err
	}
	if op.ID == "" {
		return nil, errors.New("flexpg cloud: Wait called with an operation that has no ID")
	}

	sched := c.newSchedule()
	if d, ok := c.hints.take(op.ID); ok {
		sched.suggest(d)
	}
	last := *op
	failures := 0
	for {
		if err := sleep(ctx, sched.next()); err != nil {
			return nil, abandoned(last, err)
		}
		cur, header, err := c.pollOperation(ctx, op.ID)
		if err != nil {
			if ctx.Err() != nil {
				return nil, abandoned(last, ctx.Err())
			}
			if !retryable(err) {
				return nil, fmt.Errorf("flexpg cloud: waiting for operation %s (last step %q): %w", op.ID, last.Step, err)
			}
			failures++
			if failures > maxConsecutiveErrors {
				return nil, fmt.Errorf("flexpg cloud: waiting for operation %s (last step %q): gave up after %d "+
					"consecutive errors: %w", op.ID, last.Step, failures, err)
			}
			continue
		}
		failures = 0
		if cur.Step != last.Step {
			sched.reset()
		}
		report(*cur)
		last = *cur
		if done, err := finished(cur); done {
			return cur, err
		}
		if d, ok := retryAfter(header, time.Now()); ok {
			sched.suggest(d)
		}
	}
}

// Do finishes a mutation: it passes err through, and otherwise waits for op.
//
//	op, err := c.PutServer(ctx, name, s, true)
//	op, err = c.Do(ctx, op, err, progress)
func (c *Client) Do(ctx context.Context, op *model.Operation, err error, progress func(model.Operation)) (*model.Operation, error) {
	if err != nil {
		return nil, err
	}
	return c.Wait(ctx, op, progress)
}

// finished reports whether op reached a final status, and the error of a failed one.
func finished(op *model.Operation) (bool, error) {
	switch op.Status {
	case model.OperationSucceeded:
		return true, nil
	case model.OperationFailed:
		return true, &OperationError{Operation: *op}
	}
	return false, nil // Running, or a status this client does not know yet: keep polling
}

// stepReporter calls progress once per distinct step, in order.
func stepReporter(progress func(model.Operation)) func(model.Operation) {
	reported := ""
	return func(op model.Operation) {
		if progress == nil || op.Step == "" || op.Step == reported {
			return
		}
		reported = op.Step
		progress(op)
	}
}

// abandoned is the error of a wait whose context ended: it keeps ctx's error for errors.Is and says where the
// operation was, since it keeps running in the cloud.
func abandoned(last model.Operation, ctxErr error) error {
	return fmt.Errorf("flexpg cloud: stopped waiting for operation %s (%s %s, status %s, last step %q); it may "+
		"still be running, see GET %s/operations/%s: %w", last.ID, last.Kind, last.ResourceID, last.Status,
		last.Step, model.APIVersion, last.ID, ctxErr)
}

// ListOperations lists the cloud's operations, only those in status unless it is "" (e.g.
// model.OperationRunning).
func (c *Client) ListOperations(ctx context.Context, status string) ([]model.Operation, error) {
	p, err := apiPath("operations")
	if err != nil {
		return nil, err
	}
	var query url.Values
	if status != "" {
		query = url.Values{"status": []string{status}}
	}
	return listQuery[model.Operation](ctx, c, p, query)
}
