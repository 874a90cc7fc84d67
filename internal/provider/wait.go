package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Default timeouts of every resource (overridable in its timeouts block).
const (
	defaultCreateTimeout = 30 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 30 * time.Minute
)

// Backoff of a mutation the cloud refused with ServerBusy.
const (
	busyRetryFirst = 500 * time.Millisecond
	busyRetryMax   = 5 * time.Second
)

// mutate starts an operation and waits for it, within ctx (which carries the resource's timeout).
//
// A ServerBusy answer means another operation runs on the same server, typically a sibling resource of the
// same apply (several configurations or firewall rules of one server) or the restart one of them triggered.
// Terraform runs those in parallel, so the start is retried until the server is free or the timeout ends,
// rather than failing the apply (azurerm users hit this, hashicorp/terraform-provider-azurerm#22257).
func mutate(ctx context.Context, c *client.Client, start func() (*model.Operation, error)) error {
	op, err := startRetryingBusy(ctx, start)
	if err != nil {
		return err
	}
	return waitForOperation(ctx, c, op)
}

// startRetryingBusy starts an operation, retrying while the cloud answers ServerBusy, and returns the
// operation the cloud accepted. Callers that must know whether the cloud accepted a create (to save partial
// state when waiting fails) use it instead of mutate.
func startRetryingBusy(ctx context.Context, start func() (*model.Operation, error)) (*model.Operation, error) {
	delay := busyRetryFirst
	for {
		op, err := start()
		if !errors.Is(err, client.ErrBusy) {
			return op, err
		}
		tflog.Debug(ctx, "server busy; retrying", map[string]any{"error": err.Error(), "delay": delay.String()})
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("%w (stopped retrying: %w)", err, ctx.Err())
		case <-timer.C:
		}
		delay = min(2*delay, busyRetryMax)
	}
}

// waitForOperation waits for op and logs each step the cloud reports, so `TF_LOG=INFO` shows what a long
// create is doing.
func waitForOperation(ctx context.Context, c *client.Client, op *model.Operation) error {
	if op == nil {
		return nil // the cloud finished the change synchronously
	}
	tflog.Debug(ctx, "waiting for operation", map[string]any{"operation": op.ID, "kind": op.Kind, "resource": op.ResourceID})
	_, err := c.Wait(ctx, op, func(o model.Operation) {
		tflog.Info(ctx, "operation progress", map[string]any{
			"operation": o.ID, "kind": o.Kind, "resource": o.ResourceID, "step": o.Step, "status": o.Status,
		})
	})
	return err
}
