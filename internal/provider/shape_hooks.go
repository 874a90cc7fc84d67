package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Optional hooks of resourceShape. A resource's API implements one only where the resource really behaves
// differently; each hook replaces or extends one step of the shape, and the shape's own step is the default.

// createStarter starts a create that is not "make sure there is none, then PUT": the server's create PUT
// refuses an existing server itself (client.ErrAlreadyExists), and a server parameter always exists, so
// creating the resource just sets it.
type createStarter[A any] interface {
	startCreate(ctx context.Context, c *client.Client, o object, body A) (*model.Operation, error)
}

// createCompleter completes the body of a create with what it takes from other objects of the cloud, and
// reports its own failures: a read replica's auto-grow must equal its source's, so when none is configured
// the body carries the source's.
type createCompleter[M, A any] interface {
	completeCreate(ctx context.Context, c *client.Client, plan *M, body *A, diags *diag.Diagnostics)
}

// createFinisher finishes a create after its operation: a server planned as Stopped is created running and
// then stopped. A failure counts as a create the cloud accepted but did not finish.
type createFinisher[M any] interface {
	finishCreate(ctx context.Context, c *client.Client, o object, plan *M) error
}

// operationWaiter decides when a change of the resource is done, for every operation the shape starts
// (create, update, delete): a server parameter's change is done once a static parameter's server restarted.
type operationWaiter interface {
	wait(ctx context.Context, c *client.Client, o object, op *model.Operation) error
}

// updater replaces the update step (one PUT of the whole desired object) and reports its own failures: a
// server starts, changes and stops in steps, and sends its password only when it changed.
type updater[M any] interface {
	update(ctx context.Context, c *client.Client, o object, plan, prior, config *M, diags *diag.Diagnostics)
}

// deleteConflictExplainer reports a delete the cloud refused with a conflict, when the resource knows what
// such a conflict means (see inUseOnConflict); it returns false to leave the error to the shape.
type deleteConflictExplainer interface {
	explainDeleteConflict(o object, err error, diags *diag.Diagnostics) bool
}

func (s *resourceShape[M, A]) startCreate(ctx context.Context, t target, body A) (*model.Operation, error) {
	if h, ok := s.api.(createStarter[A]); ok {
		return h.startCreate(ctx, t.c, t.o, body)
	}
	return s.api.put(ctx, t.c, t.o, body)
}

func (s *resourceShape[M, A]) completeCreate(ctx context.Context, t target, plan *M, body *A, diags *diag.Diagnostics) {
	if h, ok := s.api.(createCompleter[M, A]); ok {
		h.completeCreate(ctx, t.c, plan, body, diags)
	}
}

func (s *resourceShape[M, A]) finishCreate(ctx context.Context, t target, op *model.Operation, plan *M) error {
	if err := s.wait(ctx, t, op); err != nil {
		return err
	}
	if h, ok := s.api.(createFinisher[M]); ok {
		return h.finishCreate(ctx, t.c, t.o, plan)
	}
	return nil
}

func (s *resourceShape[M, A]) wait(ctx context.Context, t target, op *model.Operation) error {
	if h, ok := s.api.(operationWaiter); ok {
		return h.wait(ctx, t.c, t.o, op)
	}
	return waitForOperation(ctx, t.c, op)
}

func (s *resourceShape[M, A]) update(ctx context.Context, t target, plan, prior, config *M, diags *diag.Diagnostics) {
	if h, ok := s.api.(updater[M]); ok {
		h.update(ctx, t.c, t.o, plan, prior, config, diags)
		return
	}
	body := s.api.expand(ctx, plan, config, diags)
	if diags.HasError() {
		return
	}
	tflog.Info(ctx, "updating "+t.o.Noun, map[string]any{"id": t.o.ID})
	if err := s.mutate(ctx, t, func() (*model.Operation, error) { return s.api.put(ctx, t.c, t.o, body) }); err != nil {
		addAPIError(diags, "Error Updating "+t.o.Kind, "Could not update "+t.o.What, err)
	}
}

func (s *resourceShape[M, A]) explainDeleteConflict(o object, err error, diags *diag.Diagnostics) bool {
	h, ok := s.api.(deleteConflictExplainer)
	return ok && h.explainDeleteConflict(o, err, diags)
}

// createOnly is embedded by the API of a resource whose every argument replaces it (a database, a private DNS
// zone). Terraform still plans an update when only the timeouts block changes; there is nothing to send, so
// the shape just reads the object back and records the new timeouts.
type createOnly[M any] struct{}

func (createOnly[M]) update(context.Context, *client.Client, object, *M, *M, *M, *diag.Diagnostics) {}

// inUseOnConflict is embedded by the APIs of the network resources. The cloud refuses to delete a network
// object still in use (a subnet or zone a server uses, a network with subnets) with a conflict whose message
// names the users; that is reported as such, with what to do.
type inUseOnConflict struct{}

func (inUseOnConflict) explainDeleteConflict(o object, err error, diags *diag.Diagnostics) bool {
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrConflict) || errors.Is(err, client.ErrBusy) || !errors.As(err, &apiErr) {
		return false
	}
	diags.AddError(o.Kind+" In Use",
		fmt.Sprintf("The cloud refused to delete %s because it is still in use: %s\n\n"+
			"Terraform deletes resources in dependency order, so whatever uses it is not managed in this "+
			"configuration, or does not reference this %s (reference its id attribute, or add depends_on, so "+
			"Terraform deletes the user first).", o.What, apiErr.Message, o.Noun))
	return true
}

// nullUnknowns turns every unknown value of a state into null, or into an empty list or set (a block of
// Terraform's is never null). Only a create that failed after the cloud accepted it saves a plan as state.
func nullUnknowns(v tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		switch {
		case v.IsKnown():
			return v, nil
		case v.Type().Is(tftypes.List{}), v.Type().Is(tftypes.Set{}):
			return tftypes.NewValue(v.Type(), []tftypes.Value{}), nil
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
}
