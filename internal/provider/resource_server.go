package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &serverResource{}
	_ resource.ResourceWithConfigure      = &serverResource{}
	_ resource.ResourceWithImportState    = &serverResource{}
	_ resource.ResourceWithModifyPlan     = &serverResource{}
	_ resource.ResourceWithValidateConfig = &serverResource{}
)

// NewServerResource is the flexpg_server resource.
func NewServerResource() resource.Resource {
	return &serverResource{}
}

type serverResource struct {
	holder *clientHolder
}

func (r *serverResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server"
}

func (r *serverResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(serverResourceSchema(ctx), spec.ServerFields())
}

func (r *serverResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *serverResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan serverResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var passwordWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("administrator_password_wo"), &passwordWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	password := plan.AdministratorPassword.ValueString()
	if !passwordWO.IsNull() {
		password = passwordWO.ValueString()
	}
	name := plan.Name.ValueString()
	// The server is created running; a requested Stopped state is applied once it exists.
	body, d := expandServer(ctx, plan, password, "")
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}

	tflog.Info(ctx, "creating server", map[string]any{"name": name, "sku_name": body.SKUName, "version": body.Version})
	op, err := c.PutServer(ctx, name, body, true)
	if errors.Is(err, client.ErrAlreadyExists) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Server Already Exists",
			fmt.Sprintf("A server named %q already exists in the flexpg cloud. To manage it with Terraform, import it: "+
				"terraform import <resource address> %s", name, spec.ServerID(name)))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Server", fmt.Sprintf("The cloud refused to create server %q", name), err)
		return
	}

	err = waitForOperation(ctx, c, op)
	if err == nil && plan.State.ValueString() == spec.StateStopped {
		err = mutate(ctx, c, func() (*model.Operation, error) { return c.StopServer(ctx, name) })
	}
	if err != nil {
		// The cloud accepted the server, so it exists in some form: save what is known so Terraform tracks it
		// (as tainted) instead of losing it.
		r.savePartialState(ctx, c, plan, &resp.State, &resp.Diagnostics)
		addAPIError(&resp.Diagnostics, "Error Creating Server",
			fmt.Sprintf("The cloud accepted server %q but creating it did not finish; Terraform saved it as tainted "+
				"and will replace it on the next apply", name), err)
		return
	}

	resp.Diagnostics.Append(r.readInto(ctx, c, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *serverResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serverResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	s, err := c.GetServer(ctx, state.Name.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		tflog.Warn(ctx, "server no longer exists; removing it from state", map[string]any{"name": state.Name.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Server", fmt.Sprintf("Could not read server %q", state.Name.ValueString()), err)
		return
	}
	resp.Diagnostics.Append(flattenServer(ctx, s, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update starts a stopped server before changing it and stops it after, because the service changes only
// running servers. The spec change itself is one PUT of the whole desired server.
func (r *serverResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state serverResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	var passwordWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("administrator_password_wo"), &passwordWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	password := passwordToSend(plan, state, passwordWO)
	desired, current := plan.State.ValueString(), state.State.ValueString()
	starting := desired == spec.StateReady && current == spec.StateStopped
	stopping := desired == spec.StateStopped && current != spec.StateStopped

	if starting {
		tflog.Info(ctx, "starting server", map[string]any{"name": name})
		err := mutate(ctx, c, func() (*model.Operation, error) { return c.StartServer(ctx, name) })
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Starting Server", fmt.Sprintf("Could not start server %q", name), err)
			return
		}
	}

	changed, d := serverSpecChanged(ctx, plan, state)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if changed || password != "" {
		putState := desired
		if stopping {
			putState = spec.StateReady // stopped below, after the change
		}
		body, d := expandServer(ctx, plan, password, putState)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		tflog.Info(ctx, "updating server", map[string]any{"name": name, "password_changed": password != ""})
		err := mutate(ctx, c, func() (*model.Operation, error) { return c.PutServer(ctx, name, body, false) })
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Updating Server", fmt.Sprintf("Could not update server %q", name), err)
			return
		}
	}

	if stopping {
		tflog.Info(ctx, "stopping server", map[string]any{"name": name})
		err := mutate(ctx, c, func() (*model.Operation, error) { return c.StopServer(ctx, name) })
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Stopping Server", fmt.Sprintf("Could not stop server %q", name), err)
			return
		}
	}

	resp.Diagnostics.Append(r.readInto(ctx, c, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *serverResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state serverResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	tflog.Info(ctx, "deleting server", map[string]any{"name": name})
	err := mutate(ctx, c, func() (*model.Operation, error) { return c.DeleteServer(ctx, name) })
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Server", fmt.Sprintf("Could not delete server %q", name), err)
	}
}

func (r *serverResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, err := spec.ParseServerID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a server by its ID, /%s/<name>: %s", spec.CollectionServers, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), spec.ServerID(name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

// readInto refreshes m from the cloud after a change.
func (r *serverResource) readInto(ctx context.Context, c *client.Client, m *serverResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	s, err := c.GetServer(ctx, m.Name.ValueString())
	if err != nil {
		addAPIError(&diags, "Error Reading Server", fmt.Sprintf("Could not read server %q after changing it", m.Name.ValueString()), err)
		return diags
	}
	diags.Append(flattenServer(ctx, s, m)...)
	return diags
}

// savePartialState records a server the cloud accepted but did not finish creating.
func (r *serverResource) savePartialState(ctx context.Context, c *client.Client, plan serverResourceModel, state *tfsdk.State, diags *diag.Diagnostics) {
	m := plan
	m.ID = types.StringValue(spec.ServerID(plan.Name.ValueString()))
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), partialReadTimeout)
	defer cancel()
	if s, err := c.GetServer(readCtx, plan.Name.ValueString()); err == nil {
		diags.Append(flattenServer(readCtx, s, &m)...)
	}
	m.clearUnknowns()
	diags.Append(state.Set(ctx, m)...)
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
