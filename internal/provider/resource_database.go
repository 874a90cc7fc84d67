package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &databaseResource{}
	_ resource.ResourceWithValidateConfig = &databaseResource{}
)

// NewDatabaseResource is the flexpg_database resource.
func NewDatabaseResource() resource.Resource {
	r := &databaseResource{}
	calls := children((*client.Client).GetDatabase, (*client.Client).PutDatabase, (*client.Client).DeleteDatabase)
	r.plug("_database", databaseSchema, databaseAPI{childCalls: calls})
	return r
}

type databaseResource struct {
	resourceShape[databaseResourceModel, model.Database]
}

// databaseSchema: a database cannot be changed in place, so every input replaces it and there is no update
// timeout.
func databaseSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
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
			"server_id": serverIDAttribute(),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}, spec.DatabaseFields())
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

// databaseAPI plugs the databases of the cloud into resourceShape. A database is created and dropped, never
// changed: every argument replaces it.
type databaseAPI struct {
	childCalls[model.Database]
	createOnly[databaseResourceModel]
}

// The shape finds hooks by type assertion; this makes a mistyped one a compile error.
var _ updater[databaseResourceModel] = databaseAPI{}

func databaseObject(server, name string) object {
	return childObject("Database", "database", spec.DatabaseID(server, name), name, serverParent(server))
}

func (databaseAPI) object(m *databaseResourceModel, diags *diag.Diagnostics) object {
	return databaseObject(serverNameFrom(m.ServerID, diags), m.Name.ValueString())
}

func (databaseAPI) importObject(id string) (object, error) {
	server, name, err := spec.ParseChildID(id, spec.CollectionDatabases)
	return databaseObject(server, name), err
}

func (databaseAPI) timeouts(m *databaseResourceModel) timeouts.Value { return m.Timeouts }

func (databaseAPI) expand(_ context.Context, m, _ *databaseResourceModel, _ *diag.Diagnostics) model.Database {
	return model.Database{Name: m.Name.ValueString(), Charset: m.Charset.ValueString(), Collation: m.Collation.ValueString()}
}

// flatten keeps the configured spelling of a charset the cloud reports in catalog case.
func (databaseAPI) flatten(_ context.Context, o object, db *model.Database, m *databaseResourceModel, _ *diag.Diagnostics) {
	m.ID = types.StringValue(spec.DatabaseID(o.Parent.Name, db.Name))
	m.Name = types.StringValue(db.Name)
	m.ServerID = types.StringValue(o.Parent.ID)
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
