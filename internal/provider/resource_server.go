package provider

import (
	"context"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &serverResource{}
	_ resource.ResourceWithModifyPlan     = &serverResource{}
	_ resource.ResourceWithValidateConfig = &serverResource{}
)

// NewServerResource is the flexpg_server resource.
func NewServerResource() resource.Resource {
	r := &serverResource{}
	r.plug("_server", serverResourceSchema, serverAPI{})
	return r
}

type serverResource struct {
	resourceShape[serverResourceModel, model.Server]
}

// serverAPI plugs the servers of the cloud into resourceShape. What only a server does lives in its hooks:
// the cloud itself refuses to create an existing server, a server planned as Stopped is created running and
// then stopped, and an update moves the power state around the change and sends the password only when it
// changed. The plan-time rules are the resource's own methods (resource_server_plan.go).
type serverAPI struct{ serverCalls }

// serverCalls are the client calls of a resource whose objects are servers (flexpg_server and
// flexpg_read_replica). Its create asks the cloud to create the server only if it does not exist
// (client.ErrAlreadyExists), so the shape need not look for one first; put replaces the server.
type serverCalls struct{}

func (serverCalls) find(ctx context.Context, c *client.Client, o object) (*model.Server, error) {
	return c.GetServer(ctx, o.Name)
}

func (serverCalls) startCreate(ctx context.Context, c *client.Client, o object, body model.Server) (*model.Operation, error) {
	return c.PutServer(ctx, o.Name, body, true)
}

func (serverCalls) put(ctx context.Context, c *client.Client, o object, body model.Server) (*model.Operation, error) {
	return c.PutServer(ctx, o.Name, body, false)
}

func (serverCalls) remove(ctx context.Context, c *client.Client, o object) (*model.Operation, error) {
	return c.DeleteServer(ctx, o.Name)
}

// The shape finds hooks by type assertion; these make a mistyped one a compile error.
var (
	_ createStarter[model.Server]         = serverAPI{}
	_ createFinisher[serverResourceModel] = serverAPI{}
	_ updater[serverResourceModel]        = serverAPI{}
)

func serverObject(name string) object {
	return topObject("Server", "server", spec.ServerID(name), name)
}

func (serverAPI) object(m *serverResourceModel, _ *diag.Diagnostics) object {
	return serverObject(m.Name.ValueString())
}

func (serverAPI) importObject(id string) (object, error) {
	name, err := spec.ParseServerID(id)
	return serverObject(name), err
}

func (serverAPI) timeouts(m *serverResourceModel) timeouts.Value { return m.Timeouts }

func (serverAPI) flatten(ctx context.Context, _ object, s *model.Server, m *serverResourceModel, diags *diag.Diagnostics) {
	diags.Append(flattenServer(ctx, s, m)...)
}

// expand is the body of a create (an update builds its own, see update): the password from whichever
// attribute holds it, and no power state, since the server is created running.
func (serverAPI) expand(ctx context.Context, plan, config *serverResourceModel, diags *diag.Diagnostics) model.Server {
	password := plan.AdministratorPassword.ValueString()
	if !config.AdministratorPasswordWO.IsNull() {
		password = config.AdministratorPasswordWO.ValueString()
	}
	body, d := expandServer(ctx, *plan, password, "")
	diags.Append(d...)
	return body
}

// finishCreate applies a requested Stopped state once the server exists.
func (serverAPI) finishCreate(ctx context.Context, c *client.Client, o object, plan *serverResourceModel) error {
	if plan.State.ValueString() != spec.StateStopped {
		return nil
	}
	return mutate(ctx, c, func() (*model.Operation, error) { return c.StopServer(ctx, o.Name) })
}

// update starts a stopped server before changing it and stops it after, because the service changes only
// running servers. The spec change itself is one PUT of the whole desired server (see putChange).
func (a serverAPI) update(ctx context.Context, c *client.Client, o object, plan, prior, config *serverResourceModel, diags *diag.Diagnostics) {
	desired, current := plan.State.ValueString(), prior.State.ValueString()
	starting := desired == spec.StateReady && current == spec.StateStopped
	stopping := desired == spec.StateStopped && current != spec.StateStopped
	if starting && !powerServer(ctx, c, o, "start", "Error Starting Server", c.StartServer, diags) {
		return
	}
	putState := desired
	if stopping {
		putState = spec.StateReady // stopped below, after the change
	}
	if a.putChange(ctx, c, o, *plan, *prior, config.AdministratorPasswordWO, putState, diags) && stopping {
		powerServer(ctx, c, o, "stop", "Error Stopping Server", c.StopServer, diags)
	}
}

// powerServer starts or stops a server (verb) and waits until it has.
func powerServer(ctx context.Context, c *client.Client, o object, verb, summary string,
	action func(context.Context, string) (*model.Operation, error), diags *diag.Diagnostics) bool {
	tflog.Info(ctx, "changing the server's power state", map[string]any{"name": o.Name, "action": verb})
	if err := mutate(ctx, c, func() (*model.Operation, error) { return action(ctx, o.Name) }); err != nil {
		addAPIError(diags, summary, "Could not "+verb+" "+o.What, err)
		return false
	}
	return true
}

// putChange sends the desired server when its spec (without password and power state) changed or a new
// password is to be sent, so a pure stop or start sends no PUT. putState is the power state the PUT asks for.
func (a serverAPI) putChange(ctx context.Context, c *client.Client, o object, plan, prior serverResourceModel,
	passwordWO types.String, putState string, diags *diag.Diagnostics) bool {
	password := passwordToSend(plan, prior, passwordWO)
	changed, d := serverSpecChanged(ctx, plan, prior)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	if !changed && password == "" {
		return true
	}
	body, d := expandServer(ctx, plan, password, putState)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	tflog.Info(ctx, "updating server", map[string]any{"name": o.Name, "password_changed": password != ""})
	if err := mutate(ctx, c, func() (*model.Operation, error) { return a.put(ctx, c, o, body) }); err != nil {
		addAPIError(diags, "Error Updating Server", "Could not update "+o.What, err)
		return false
	}
	return true
}

// passwordToSend returns the administrator password an update must send, or "" to leave it alone: the
// sensitive password when its value changed, the write-only one when its version changed.
func passwordToSend(plan, state serverResourceModel, passwordWO types.String) string {
	if !plan.AdministratorPasswordWOVersion.Equal(state.AdministratorPasswordWOVersion) && !passwordWO.IsNull() {
		return passwordWO.ValueString()
	}
	if !plan.AdministratorPassword.IsNull() && !plan.AdministratorPassword.Equal(state.AdministratorPassword) {
		return plan.AdministratorPassword.ValueString()
	}
	return ""
}

// serverSpecChanged reports whether the desired server (without password and power state) differs from the
// current one, so a pure stop or start sends no PUT.
func serverSpecChanged(ctx context.Context, plan, state serverResourceModel) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	want, d := expandServer(ctx, plan, "", "")
	diags.Append(d...)
	have, d := expandServer(ctx, state, "", "")
	diags.Append(d...)
	return !reflect.DeepEqual(want, have), diags
}
