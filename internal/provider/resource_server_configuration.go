package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &serverConfigurationResource{}
	_ resource.ResourceWithConfigure      = &serverConfigurationResource{}
	_ resource.ResourceWithImportState    = &serverConfigurationResource{}
	_ resource.ResourceWithValidateConfig = &serverConfigurationResource{}
)

// NewServerConfigurationResource is the flexpg_server_configuration resource.
func NewServerConfigurationResource() resource.Resource {
	return &serverConfigurationResource{}
}

type serverConfigurationResource struct {
	holder *clientHolder
}

func (r *serverConfigurationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server_configuration"
}

func (r *serverConfigurationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
		MarkdownDescription: "Sets one server parameter. Changing a static parameter restarts the server (a running " +
			"one), as the service's restart-on-change default does. Destroying the resource resets the parameter to its default.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the parameter, `/" + spec.CollectionServers + "/<server>/" + spec.CollectionConfigurations + "/<name>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the server parameter, for example `max_connections` or `ssl_min_protocol_version`; " +
					validators.ParameterName().MarkdownDescription(ctx) + ".",
				Required:   true,
				Validators: []validator.String{validators.ParameterName()},
			},
			"server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the server (`flexpg_server.<name>.id`).",
				Required:            true,
				Validators:          []validator.String{validators.ServerID("server_id")},
			},
			"value": schema.StringAttribute{
				MarkdownDescription: "Value of the parameter, checked at plan time against the parameter's type and " +
					"allowed values (for example `ssl_min_protocol_version` accepts only `TLSv1.2` and `TLSv1.3`). " +
					"The cloud stores and reports the canonical spelling (`on` for `TRUE`, `100` for `0100`, set members " +
					"as the catalog spells them); a value that means the same as the reported one is not a change.",
				Required: true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.ConfigurationFields())
}

func (r *serverConfigurationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the value against the named parameter; an unknown name is the name validator's error.
func (r *serverConfigurationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config serverConfigurationResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !known(config.Name) || !known(config.Value) {
		return
	}
	if spec.ValidateParameterName(config.Name.ValueString()) != nil {
		return
	}
	if fe := spec.ValidateParameterValue(config.Name.ValueString(), config.Value.ValueString()); fe != nil {
		addFieldErrors(&resp.Diagnostics, spec.FieldErrors{fe})
	}
}

func (r *serverConfigurationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan serverConfigurationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	r.set(ctx, timeout, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *serverConfigurationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serverConfigurationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	server := serverNameFrom(state.ServerID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	cfg, err := c.GetConfiguration(ctx, server, state.Name.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		// The server is gone (every parameter exists as long as its server does).
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Server Configuration",
			fmt.Sprintf("Could not read parameter %q of server %q", state.Name.ValueString(), server), err)
		return
	}
	flattenConfiguration(server, cfg, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *serverConfigurationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan serverConfigurationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	r.set(ctx, timeout, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Delete returns the parameter to its default, restarting the server if the parameter is static.
func (r *serverConfigurationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state serverConfigurationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	server := serverNameFrom(state.ServerID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	tflog.Info(ctx, "resetting server parameter", map[string]any{"server": server, "name": name})
	err := mutate(ctx, c, func() (*model.Operation, error) { return c.ResetConfiguration(ctx, server, name) })
	if errors.Is(err, client.ErrNotFound) {
		return // the server is gone, and its parameters with it
	}
	if err == nil {
		err = restartIfPending(ctx, c, server, name)
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Resetting Server Configuration",
			fmt.Sprintf("Could not reset parameter %q of server %q to its default", name, server), err)
	}
}

func (r *serverConfigurationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importChild(ctx, req.ID, spec.CollectionConfigurations, resp)
}

// set writes the planned value, restarts the server when the parameter needs it, and reads the result back.
func (r *serverConfigurationResource) set(ctx context.Context, timeout time.Duration, m *serverConfigurationResourceModel, diags *diag.Diagnostics) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	server := serverNameFrom(m.ServerID, diags)
	c := clientFrom(ctx, r.holder, diags)
	if c == nil {
		return
	}

	name, value := m.Name.ValueString(), m.Value.ValueString()
	tflog.Info(ctx, "setting server parameter", map[string]any{"server": server, "name": name})
	err := mutate(ctx, c, func() (*model.Operation, error) { return c.PutConfiguration(ctx, server, name, value) })
	if err == nil {
		err = restartIfPending(ctx, c, server, name)
	}
	if err != nil {
		addAPIError(diags, "Error Setting Server Configuration",
			fmt.Sprintf("Could not set parameter %q of server %q", name, server), err)
		return
	}
	cfg, err := c.GetConfiguration(ctx, server, name)
	if err != nil {
		addAPIError(diags, "Error Reading Server Configuration",
			fmt.Sprintf("Could not read parameter %q of server %q after setting it", name, server), err)
		return
	}
	flattenConfiguration(server, cfg, m)
}

// restartIfPending restarts a running server whose parameter change waits for a restart (a static parameter).
// A stopped server is left alone: it picks the value up when it starts.
func restartIfPending(ctx context.Context, c *client.Client, server, name string) error {
	cfg, err := c.GetConfiguration(ctx, server, name)
	if err != nil {
		return err
	}
	if !cfg.IsConfigPendingRestart {
		return nil
	}
	s, err := c.GetServer(ctx, server)
	if err != nil {
		return err
	}
	if s.State != spec.StateReady {
		tflog.Info(ctx, "parameter needs a restart; the server is not running, so it applies at the next start",
			map[string]any{"server": server, "name": name, "state": s.State})
		return nil
	}
	tflog.Info(ctx, "restarting server to apply a static parameter", map[string]any{"server": server, "name": name})
	return mutate(ctx, c, func() (*model.Operation, error) { return c.RestartServer(ctx, server) })
}

// flattenConfiguration copies what the cloud reports into m. The cloud reports a value in its canonical
// spelling ("on" for the "TRUE" a user wrote, "100" for "0100"); when that means the value m already holds
// (the plan after an apply, the state on a refresh), m keeps the user's spelling (semantic equality by
// spec.ParameterValuesEqual), so the configuration plans clean and only a real change shows as drift.
func flattenConfiguration(server string, cfg *model.Configuration, m *serverConfigurationResourceModel) {
	m.ID = types.StringValue(spec.ConfigurationID(server, cfg.Name))
	m.Name = types.StringValue(cfg.Name)
	m.ServerID = types.StringValue(spec.ServerID(server))
	if !known(m.Value) || !spec.ParameterValuesEqual(cfg.Name, m.Value.ValueString(), cfg.Value) {
		m.Value = types.StringValue(cfg.Value)
	}
}

type serverConfigurationResourceModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	ServerID types.String   `tfsdk:"server_id"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
	Value    types.String   `tfsdk:"value"`
}
