package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &databaseResource{}
	_ resource.ResourceWithConfigure      = &databaseResource{}
	_ resource.ResourceWithImportState    = &databaseResource{}
	_ resource.ResourceWithValidateConfig = &databaseResource{}
)

// NewDatabaseResource is the flexpg_database resource.
func NewDatabaseResource() resource.Resource {
	return &databaseResource{}
}

type databaseResource struct {
	holder *clientHolder
}

func (r *databaseResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_database"
}

// Schema: a database cannot be changed in place, so every input replaces it and there is no update timeout.
func (r *databaseResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a database on a server. Every argument replaces the database when it changes, " +
			"which drops its data.",
		Attributes: map[string]schema.Attribute{
			"charset": schema.StringAttribute{
				MarkdownDescription: "Character set (encoding) of the database; " + validators.Charset().MarkdownDescription(ctx) +
					". Defaults to `" + spec.DefaultCharset + "`.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(spec.DefaultCharset),
				Validators:    []validator.String{validators.Charset()},
				PlanModifiers: []planmodifier.String{planmodifiers.StringIgnoreCase()},
			},
			"collation": schema.StringAttribute{
				MarkdownDescription: "Collation of the database; " + validators.Collation().MarkdownDescription(ctx) +
					". A UTF-8 collation needs charset `UTF8`. Defaults to `" + spec.DefaultCollation +
					"`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(spec.DefaultCollation),
				Validators: []validator.String{validators.Collation()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the database, `/" + spec.CollectionServers + "/<server>/" + spec.CollectionDatabases + "/<name>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the database; " + validators.DatabaseName().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.DatabaseName()},
			},
			"server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the server (`flexpg_server.<name>.id`).",
				Required:            true,
				Validators:          []validator.String{validators.ServerID("server_id")},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}, spec.DatabaseFields())
}

func (r *databaseResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks that charset and collation work together.
func (r *databaseResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config databaseResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.Charset.IsUnknown() || config.Collation.IsUnknown() {
		return
	}
	charset, collation := spec.DefaultCharset, spec.DefaultCollation
	if !config.Charset.IsNull() {
		charset = config.Charset.ValueString()
	}
	if !config.Collation.IsNull() {
		collation = config.Collation.ValueString()
	}
	if fe := spec.ValidateCharsetCollation(charset, collation); fe != nil {
		addFieldErrors(&resp.Diagnostics, spec.FieldErrors{fe})
	}
}

func (r *databaseResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan databaseResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	server := serverNameFrom(plan.ServerID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	// PUT creates or replaces, so look first: taking over a database made elsewhere would hide it.
	if _, err := c.GetDatabase(ctx, server, name); err == nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Database Already Exists",
			fmt.Sprintf("Server %q already has a database named %q. To manage it with Terraform, import it: "+
				"terraform import <resource address> %s", server, name, spec.DatabaseID(server, name)))
		return
	} else if !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Creating Database",
			fmt.Sprintf("Could not check for an existing database %q on server %q", name, server), err)
		return
	}

	tflog.Info(ctx, "creating database", map[string]any{"server": server, "name": name})
	body := model.Database{Name: name, Charset: plan.Charset.ValueString(), Collation: plan.Collation.ValueString()}
	err := mutate(ctx, c, func() (*model.Operation, error) { return c.PutDatabase(ctx, server, body) })
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Database",
			fmt.Sprintf("Could not create database %q on server %q", name, server), err)
		return
	}
	db, err := c.GetDatabase(ctx, server, name)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Database",
			fmt.Sprintf("Could not read database %q of server %q after creating it", name, server), err)
		return
	}
	flattenDatabase(server, db, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *databaseResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state databaseResourceModel
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

	db, err := c.GetDatabase(ctx, server, state.Name.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Database",
			fmt.Sprintf("Could not read database %q of server %q", state.Name.ValueString(), server), err)
		return
	}
	flattenDatabase(server, db, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update is never called: every argument requires replacement.
func (r *databaseResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Database Cannot Be Updated",
		"Every argument of flexpg_database replaces the database; an in-place update was planned by mistake. "+
			"This is a bug in the provider; please report it.")
}

func (r *databaseResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state databaseResourceModel
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
	err := mutate(ctx, c, func() (*model.Operation, error) { return c.DeleteDatabase(ctx, server, name) })
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Database",
			fmt.Sprintf("Could not delete database %q of server %q", name, server), err)
	}
}

func (r *databaseResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importChild(ctx, req.ID, spec.CollectionDatabases, resp)
}

// flattenDatabase keeps the configured spelling of a charset the cloud reports in catalog case.
func flattenDatabase(server string, db *model.Database, m *databaseResourceModel) {
	m.ID = types.StringValue(spec.DatabaseID(server, db.Name))
	m.Name = types.StringValue(db.Name)
	m.ServerID = types.StringValue(spec.ServerID(server))
	if db.Charset != "" {
		m.Charset = keepSpelling(m.Charset, db.Charset)
	}
	if db.Collation != "" {
		m.Collation = types.StringValue(db.Collation)
	}
}

type databaseResourceModel struct {
	Charset   types.String   `tfsdk:"charset"`
	Collation types.String   `tfsdk:"collation"`
	ID        types.String   `tfsdk:"id"`
	Name      types.String   `tfsdk:"name"`
	ServerID  types.String   `tfsdk:"server_id"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}
