package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var _ resource.Resource = &privateDNSZoneResource{}

// NewPrivateDNSZoneResource is the flexpg_private_dns_zone resource.
func NewPrivateDNSZoneResource() resource.Resource {
	r := &privateDNSZoneResource{}
	calls := tops((*client.Client).GetPrivateDNSZone, (*client.Client).PutPrivateDNSZone, (*client.Client).DeletePrivateDNSZone)
	r.plug("_private_dns_zone", privateDNSZoneSchema, privateDNSZoneAPI{topCalls: calls})
	return r
}

type privateDNSZoneResource struct {
	resourceShape[privateDNSZoneResourceModel, model.PrivateDNSZone]
}

type privateDNSZoneResourceModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// privateDNSZoneSchema: the zone's only argument is its name, so there is nothing to update and no update
// timeout. The single-field rule is the whole of the zone's own validation; a validator checks it.
func privateDNSZoneSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a private DNS zone. A private-access server registers an A record " +
			"`<server>.<zone>` in the zone of its `private_dns_zone_id`, resolvable from its own virtual network and " +
			"from every virtual network linked to the zone. A zone used by a server must end in `." + spec.DNSSuffix +
			"` and must not be the server's FQDN.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the zone, `/" + spec.CollectionPrivateDNSZones + "/<name>` with the name in " +
					"lowercase; known at plan time, so a server's `private_dns_zone_id` can be checked before apply.",
				Computed: true,
				PlanModifiers: []planmodifier.String{planmodifiers.IDFromAttributes(
					"The ID is planned from name.", privateDNSZoneIDFrom, path.Root("name"))},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the zone, for example `corp." + spec.DNSSuffix + "`; " +
					validators.PrivateDNSZoneName().MarkdownDescription(ctx) + ". DNS names are case-insensitive: the " +
					"cloud stores the name in lowercase, and a change of letter case alone is not a change.",
				Required:   true,
				Validators: []validator.String{validators.PrivateDNSZoneName()},
				PlanModifiers: []planmodifier.String{
					planmodifiers.StringIgnoreCase(),
				},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}, spec.PrivateDNSZoneFields())
}

// privateDNSZoneAPI plugs the private DNS zones of the cloud into resourceShape. Zone names are
// case-insensitive: the client calls take the configured spelling, the ID and the cloud use lowercase.
type privateDNSZoneAPI struct {
	topCalls[model.PrivateDNSZone]
	createOnly[privateDNSZoneResourceModel]
	inUseOnConflict
}

// The shape finds hooks by type assertion; these make a mistyped one a compile error.
var (
	_ updater[privateDNSZoneResourceModel] = privateDNSZoneAPI{}
	_ deleteConflictExplainer              = privateDNSZoneAPI{}
)

func privateDNSZoneObject(name string) object {
	return topObject("Private DNS Zone", "private DNS zone", spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(name)), name)
}

func (privateDNSZoneAPI) object(m *privateDNSZoneResourceModel, _ *diag.Diagnostics) object {
	return privateDNSZoneObject(m.Name.ValueString())
}

func (privateDNSZoneAPI) importObject(id string) (object, error) {
	name, err := spec.ParsePrivateDNSZoneID(id)
	return privateDNSZoneObject(name), err
}

func (privateDNSZoneAPI) timeouts(m *privateDNSZoneResourceModel) timeouts.Value { return m.Timeouts }

func (privateDNSZoneAPI) expand(_ context.Context, m, _ *privateDNSZoneResourceModel, _ *diag.Diagnostics) model.PrivateDNSZone {
	return model.PrivateDNSZone{Name: m.Name.ValueString()}
}

// flatten keeps the configured spelling of the name; the cloud reports it in lowercase.
func (privateDNSZoneAPI) flatten(_ context.Context, _ object, z *model.PrivateDNSZone, m *privateDNSZoneResourceModel, _ *diag.Diagnostics) {
	m.Name = keepSpelling(m.Name, z.Name)
	m.ID = types.StringValue(spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(z.Name)))
}
