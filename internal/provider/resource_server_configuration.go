package provider

import (
	"context"

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
	_ resource.ResourceWithValidateConfig = &serverConfigurationResource{}
)

// NewServerConfigurationResource is the flexpg_server_configuration resource.
func NewServerConfigurationResource() resource.Resource {
	r := &serverConfigurationResource{}
	r.plug("_server_configuration", serverConfigurationSchema, serverConfigurationAPI{})
	return r
}

type serverConfigurationResource struct {
	resourceShape[serverConfigurationResourceModel, model.Configuration]
}

func serverConfigurationSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
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
			"server_id": serverIDAttribute(),
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

// serverConfigurationAPI plugs the server parameters of the cloud into resourceShape. A parameter is never
// created or deleted, only set: it exists, with its default value, as long as its server does. So creating the
// resource sets the value, destroying it resets the default, and a change of a static parameter is done only
// once a running server restarted.
type serverConfigurationAPI struct{}

// The shape finds hooks by type assertion; these make a mistyped one a compile error.
var (
	_ createStarter[model.Configuration] = serverConfigurationAPI{}
	_ operationWaiter                    = serverConfigurationAPI{}
)

func configurationObject(server, name string) object {
	return childObject("Server Configuration", "server parameter", spec.ConfigurationID(server, name), name,
		serverParent(server))
}

func (serverConfigurationAPI) object(m *serverConfigurationResourceModel, diags *diag.Diagnostics) object {
	return configurationObject(serverNameFrom(m.ServerID, diags), m.Name.ValueString())
}

func (serverConfigurationAPI) importObject(id string) (object, error) {
	server, name, err := spec.ParseChildID(id, spec.CollectionConfigurations)
	return configurationObject(server, name), err
}

func (serverConfigurationAPI) timeouts(m *serverConfigurationResourceModel) timeouts.Value {
	return m.Timeouts
}

// find reports ErrNotFound only when the server is gone (every parameter exists as long as its server does).
func (serverConfigurationAPI) find(ctx context.Context, c *client.Client, o object) (*model.Configuration, error) {
	return c.GetConfiguration(ctx, o.Parent.Name, o.Name)
}

func (serverConfigurationAPI) put(ctx context.Context, c *client.Client, o object, body model.Configuration) (*model.Operation, error) {
	return c.PutConfiguration(ctx, o.Parent.Name, body.Name, body.Value)
}

// startCreate sets the value: there is no parameter to look for first, since it always exists.
func (a serverConfigurationAPI) startCreate(ctx context.Context, c *client.Client, o object, body model.Configuration) (*model.Operation, error) {
	return a.put(ctx, c, o, body)
}

// remove resets the parameter to its default.
func (serverConfigurationAPI) remove(ctx context.Context, c *client.Client, o object) (*model.Operation, error) {
	return c.ResetConfiguration(ctx, o.Parent.Name, o.Name)
}

// wait waits for the change and then restarts the server if the parameter needs it.
func (serverConfigurationAPI) wait(ctx context.Context, c *client.Client, o object, op *model.Operation) error {
	if err := waitForOperation(ctx, c, op); err != nil {
		return err
	}
	return restartIfPending(ctx, c, o.Parent.Name, o.Name)
}

func (serverConfigurationAPI) expand(_ context.Context, m, _ *serverConfigurationResourceModel, _ *diag.Diagnostics) model.Configuration {
	return model.Configuration{Name: m.Name.ValueString(), Value: m.Value.ValueString()}
}

// flatten copies what the cloud reports into m. The cloud reports a value in its canonical spelling ("on"
// for the "TRUE" a user wrote, "100" for "0100"); when that means the value m already holds (the plan after
// an apply, the state on a refresh), m keeps the user's spelling (semantic equality by
// spec.ParameterValuesEqual), so the configuration plans clean and only a real change shows as drift.
func (serverConfigurationAPI) flatten(_ context.Context, o object, cfg *model.Configuration, m *serverConfigurationResourceModel, _ *diag.Diagnostics) {
	m.ID = types.StringValue(spec.ConfigurationID(o.Parent.Name, cfg.Name))
	m.Name = types.StringValue(cfg.Name)
	m.ServerID = types.StringValue(o.Parent.ID)
	if !known(m.Value) || !spec.ParameterValuesEqual(cfg.Name, m.Value.ValueString(), cfg.Value) {
		m.Value = types.StringValue(cfg.Value)
	}
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

type serverConfigurationResourceModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	ServerID types.String   `tfsdk:"server_id"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
	Value    types.String   `tfsdk:"value"`
}
