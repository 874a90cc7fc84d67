package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// resourceShape is the one shape of every flexpg resource: Metadata, Schema, Configure, Create, Read, Update,
// Delete and ImportState, written once. A resource embeds it and plugs in its type name, its schema and a
// resourceAPI: how to name its objects, its finder, expand and flatten, and the client calls that put and
// remove an object. Its plan-time methods (ValidateConfig, ModifyPlan) stay its own.
//
// It is generic over the resource's model M and the cloud's document A, so each resource's functions are
// typed: nothing passes through `any` to be asserted back. Behaviour only some resources have is an optional
// hook their API implements (shape_hooks.go), never a flag the shape tests.
//
// The rhythm of every call is the scaffolding's: read the plan or state, return on error, bound the context by
// the timeouts block, call the cloud, set state. Every mutation starts an operation (retried while the cloud
// answers ServerBusy or ResourceBusy, see startRetryingBusy) and waits for it, logging its progress.
type resourceShape[M, A any] struct {
	typeName string // after the provider's: "_firewall_rule"
	schema   func(context.Context) schema.Schema
	api      resourceAPI[M, A]
	holder   *clientHolder
}

// The capabilities every resource gets from its shape.
var (
	_ resource.ResourceWithConfigure   = &resourceShape[struct{}, struct{}]{}
	_ resource.ResourceWithImportState = &resourceShape[struct{}, struct{}]{}
)

// resourceAPI is what a resource tells resourceShape about its objects.
type resourceAPI[M, A any] interface {
	// object names the object a plan or state describes. A malformed parent ID is a diagnostic (the schema
	// validates it, so only hand-edited state has one).
	object(m *M, diags *diag.Diagnostics) object
	// importObject names the object of an import ID; the error says what the ID should look like.
	importObject(id string) (object, error)
	// timeouts returns the model's timeouts block.
	timeouts(m *M) timeouts.Value

	// find is the finder: the object as the cloud has it, or an error that is client.ErrNotFound when the
	// object (or its parent) does not exist.
	find(ctx context.Context, c *client.Client, o object) (*A, error)
	// flatten copies what the cloud reports into m.
	flatten(ctx context.Context, o object, a *A, m *M, diags *diag.Diagnostics)
	// expand builds the document to send from a plan. config is the configuration, which holds what the plan
	// never does (write-only arguments).
	expand(ctx context.Context, plan, config *M, diags *diag.Diagnostics) A
	// put starts creating or replacing the object with body.
	put(ctx context.Context, c *client.Client, o object, body A) (*model.Operation, error)
	// remove starts deleting the object.
	remove(ctx context.Context, c *client.Client, o object) (*model.Operation, error)
}

// target is what one CRUD call acts on: the object and the client that reaches it.
type target struct {
	c *client.Client
	o object
}

// timeoutOf is one of the timeouts block's getters (timeouts.Value.Create, .Read, ...).
type timeoutOf func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// plug makes s the shape of one resource: its type name, its schema and its API. A constructor calls it on the
// shape its resource embeds, so the type parameters come from the resource's declaration.
func (s *resourceShape[M, A]) plug(typeName string, schema func(context.Context) schema.Schema, api resourceAPI[M, A]) {
	s.typeName, s.schema, s.api = typeName, schema, api
}

func (s *resourceShape[M, A]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + s.typeName
}

func (s *resourceShape[M, A]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = s.schema(ctx)
}

func (s *resourceShape[M, A]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	s.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// Create makes sure no object of that name exists yet (PUT creates or replaces), starts the create and waits
// for it, then reads the object back. When the cloud accepted the create but it did not finish, the object
// exists in some form, so what is known is saved: Terraform then tracks it as tainted and replaces it on the
// next apply, instead of losing it.
func (s *resourceShape[M, A]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config M
	diags := &resp.Diagnostics
	diags.Append(req.Plan.Get(ctx, &plan)...)
	diags.Append(req.Config.Get(ctx, &config)...)
	ctx, cancel, t := s.begin(ctx, &plan, timeouts.Value.Create, defaultCreateTimeout, diags)
	defer cancel()
	if diags.HasError() {
		return
	}
	body := s.api.expand(ctx, &plan, &config, diags)
	if diags.HasError() || !s.absent(ctx, t, diags) {
		return
	}
	if s.completeCreate(ctx, t, &plan, &body, diags); diags.HasError() {
		return
	}

	tflog.Info(ctx, "creating "+t.o.Noun, map[string]any{"id": t.o.ID})
	op, err := startRetryingBusy(ctx, func() (*model.Operation, error) { return s.startCreate(ctx, t, body) })
	if err != nil {
		createRefused(t.o, err, diags)
		return
	}
	if err := s.finishCreate(ctx, t, op, &plan); err != nil {
		s.savePartial(ctx, t, plan, &resp.State, diags)
		addAPIError(diags, "Error Creating "+t.o.Kind, fmt.Sprintf("The cloud accepted %s but creating it did not "+
			"finish; Terraform saved it as tainted and will replace it on the next apply", t.o.What), err)
		return
	}
	s.readBack(ctx, t, &plan, &resp.State, diags)
}

// Read refreshes the state. An object the cloud no longer has (or whose parent is gone) is removed from state,
// so Terraform plans to create it again.
func (s *resourceShape[M, A]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	diags := &resp.Diagnostics
	ctx, cancel, t, state := s.fromState(ctx, req.State, timeouts.Value.Read, defaultReadTimeout, diags)
	defer cancel()
	if diags.HasError() {
		return
	}

	a, err := s.api.find(ctx, t.c, t.o)
	if errors.Is(err, client.ErrNotFound) {
		tflog.Warn(ctx, t.o.Noun+" was deleted outside Terraform; removing it from state", map[string]any{"id": t.o.ID})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(diags, "Error Reading "+t.o.Kind, "Could not read "+t.o.What, err)
		return
	}
	s.record(ctx, t, a, state, &resp.State, diags)
}

// Update applies the plan (by default one PUT of the whole desired object) and reads the object back.
func (s *resourceShape[M, A]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior, config M
	diags := &resp.Diagnostics
	diags.Append(req.Plan.Get(ctx, &plan)...)
	diags.Append(req.State.Get(ctx, &prior)...)
	diags.Append(req.Config.Get(ctx, &config)...)
	ctx, cancel, t := s.begin(ctx, &plan, timeouts.Value.Update, defaultUpdateTimeout, diags)
	defer cancel()
	if diags.HasError() {
		return
	}
	s.update(ctx, t, &plan, &prior, &config, diags)
	if diags.HasError() {
		return
	}
	s.readBack(ctx, t, &plan, &resp.State, diags)
}

// Delete deletes the object and waits until it is gone. An object already gone is not an error: that is what
// the delete was for.
func (s *resourceShape[M, A]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	diags := &resp.Diagnostics
	ctx, cancel, t, _ := s.fromState(ctx, req.State, timeouts.Value.Delete, defaultDeleteTimeout, diags)
	defer cancel()
	if diags.HasError() {
		return
	}

	tflog.Info(ctx, "deleting "+t.o.Noun, map[string]any{"id": t.o.ID})
	err := s.mutate(ctx, t, func() (*model.Operation, error) { return s.api.remove(ctx, t.c, t.o) })
	if err == nil || errors.Is(err, client.ErrNotFound) {
		return
	}
	if !s.explainDeleteConflict(t.o, err, diags) {
		addAPIError(diags, "Error Deleting "+t.o.Kind, "Could not delete "+t.o.What, err)
	}
}

// ImportState sets id, name and, for a child, the parent's ID attribute from the import ID; Read does the rest.
func (s *resourceShape[M, A]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	o, err := s.api.importObject(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Import a %s by its ID: %s", o.Noun, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), o.ID)...)
	if o.Parent.Attribute != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(o.Parent.Attribute), o.Parent.ID)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), o.Name)...)
}

// begin bounds ctx by the call's timeout, names the object m describes and resolves the client. The caller
// returns when diags then holds an error, and always calls cancel.
func (s *resourceShape[M, A]) begin(ctx context.Context, m *M, limit timeoutOf, fallback time.Duration,
	diags *diag.Diagnostics) (context.Context, context.CancelFunc, target) {
	if diags.HasError() {
		return ctx, func() {}, target{}
	}
	timeout, d := limit(s.api.timeouts(m), ctx, fallback)
	diags.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	o := s.api.object(m, diags)
	return ctx, cancel, target{c: clientFrom(ctx, s.holder, diags), o: o}
}

// fromState reads the state into a model and begins a call on it (see begin).
func (s *resourceShape[M, A]) fromState(ctx context.Context, state tfsdk.State, limit timeoutOf, fallback time.Duration,
	diags *diag.Diagnostics) (context.Context, context.CancelFunc, target, *M) {
	var m M
	diags.Append(state.Get(ctx, &m)...)
	ctx, cancel, t := s.begin(ctx, &m, limit, fallback, diags)
	return ctx, cancel, t, &m
}

// mutate starts an operation, retrying while the cloud is busy, and waits until the change is done.
func (s *resourceShape[M, A]) mutate(ctx context.Context, t target, start func() (*model.Operation, error)) error {
	op, err := startRetryingBusy(ctx, start)
	if err != nil {
		return err
	}
	return s.wait(ctx, t, op)
}

// absent makes sure the cloud has no object of that name before a create: PUT creates or replaces, and
// silently taking over an object made elsewhere would hide it from whoever made it. A resource with its own
// createStarter does without (its create refuses an existing object itself, or adopts one that always exists).
func (s *resourceShape[M, A]) absent(ctx context.Context, t target, diags *diag.Diagnostics) bool {
	if _, ok := s.api.(createStarter[A]); ok {
		return true
	}
	switch _, err := s.api.find(ctx, t.c, t.o); {
	case err == nil:
		alreadyExists(t.o, diags)
		return false
	case !errors.Is(err, client.ErrNotFound):
		addAPIError(diags, "Error Creating "+t.o.Kind, "Could not check for an existing "+t.o.What, err)
		return false
	}
	return true
}

// createRefused reports a create the cloud did not accept. An object that exists already is to be imported;
// but a name the cloud refuses because another object holds it (a virtual endpoint's name is unique in the
// whole cloud, not only under its server) names its field, and is reported there with the cloud's words.
func createRefused(o object, err error, diags *diag.Diagnostics) {
	var apiErr *client.APIError
	if errors.Is(err, client.ErrAlreadyExists) && !(errors.As(err, &apiErr) && apiErr.Field != "") {
		alreadyExists(o, diags)
		return
	}
	addAPIError(diags, "Error Creating "+o.Kind, "The cloud refused to create "+o.What, err)
}

func alreadyExists(o object, diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("name"), o.Kind+" Already Exists",
		fmt.Sprintf("The flexpg cloud already has %s. To manage it with Terraform, import it: "+
			"terraform import <resource address> %s", o.What, o.ID))
}

// readBack reads the object after a change and records it as the new state.
func (s *resourceShape[M, A]) readBack(ctx context.Context, t target, m *M, state *tfsdk.State, diags *diag.Diagnostics) {
	a, err := s.api.find(ctx, t.c, t.o)
	if err != nil {
		addAPIError(diags, "Error Reading "+t.o.Kind, "Could not read "+t.o.What+" after changing it", err)
		return
	}
	s.record(ctx, t, a, m, state, diags)
}

// record flattens what the cloud reports into m and sets it as the state.
func (s *resourceShape[M, A]) record(ctx context.Context, t target, a *A, m *M, state *tfsdk.State, diags *diag.Diagnostics) {
	s.api.flatten(ctx, t.o, a, m, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

// partialReadTimeout bounds the best-effort read of an object whose create failed; the create's own context
// may already be out of time.
const partialReadTimeout = 30 * time.Second

// savePartial records an object the cloud accepted but did not finish creating: the plan with the object's ID
// and whatever the cloud already reports. State can hold no unknown values, so those become null.
func (s *resourceShape[M, A]) savePartial(ctx context.Context, t target, plan M, state *tfsdk.State, diags *diag.Diagnostics) {
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), partialReadTimeout)
	defer cancel()
	if a, err := s.api.find(readCtx, t.c, t.o); err == nil {
		var d diag.Diagnostics
		read := plan
		s.api.flatten(readCtx, t.o, a, &read, &d)
		if !d.HasError() {
			plan = read
		}
	}
	diags.Append(state.Set(ctx, plan)...)
	diags.Append(state.SetAttribute(ctx, path.Root("id"), t.o.ID)...)
	raw, err := nullUnknowns(state.Raw)
	if err != nil {
		diags.AddError("Unexpected State Shape", "This is a bug in the provider; please report it: "+err.Error())
		return
	}
	state.Raw = raw
}
