package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &privateDNSZoneLinkResource{}
	_ resource.ResourceWithValidateConfig = &privateDNSZoneLinkResource{}
)

// NewPrivateDNSZoneLinkResource is the flexpg_private_dns_zone_virtual_network_link resource.
func NewPrivateDNSZoneLinkResource() resource.Resource {
	r := &privateDNSZoneLinkResource{}
	calls := children((*client.Client).GetPrivateDNSZoneLink, (*client.Client).PutPrivateDNSZoneLink,
		(*client.Client).DeletePrivateDNSZoneLink)
	r.plug("_private_dns_zone_virtual_network_link", privateDNSZoneLinkSchema, privateDNSZoneLinkAPI{childCalls: calls})
	return r
}

type privateDNSZoneLinkResource struct {
	resourceShape[privateDNSZoneLinkResourceModel, model.PrivateDNSZoneLink]
}

type privateDNSZoneLinkResourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	Name                types.String   `tfsdk:"name"`
	PrivateDNSZoneID    types.String   `tfsdk:"private_dns_zone_id"`
	RegistrationEnabled types.Bool     `tfsdk:"registration_enabled"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
	VirtualNetworkID    types.String   `tfsdk:"virtual_network_id"`
}

func privateDNSZoneLinkSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Links a private DNS zone to a virtual network: clients in the network resolve the zone's " +
			"records, including the names of the private-access servers registered in it. A network is linked to a " +
			"zone at most once.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the link, `/" + spec.CollectionPrivateDNSZones + "/<zone>/" + spec.CollectionDNSZoneLinks +
					"/<name>`; known at plan time.",
				Computed: true,
				PlanModifiers: []planmodifier.String{planmodifiers.IDFromAttributes(
					"The ID is planned from private_dns_zone_id and name.", linkIDFrom,
					path.Root("private_dns_zone_id"), path.Root("name"))},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the link; " + validators.LinkName().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.LinkName()},
			},
			"private_dns_zone_id": schema.StringAttribute{
				MarkdownDescription: "ID of the zone (`flexpg_private_dns_zone.<name>.id`); " +
					validators.PrivateDNSZoneID().MarkdownDescription(ctx) + ".",
				Required:   true,
				Validators: []validator.String{validators.PrivateDNSZoneID()},
				PlanModifiers: []planmodifier.String{
					planmodifiers.StringIgnoreCase(),
				},
			},
			"registration_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the cloud registers records for resources of the network in the zone " +
					"automatically (auto-registration). Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"virtual_network_id": virtualNetworkIDAttribute(ctx),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.PrivateDNSZoneLinkFields())
}

// ValidateConfig runs the rules the cloud runs on the configuration alone (spec.ValidatePrivateDNSZoneLink).
// That the zone and the network exist, and that the network is linked to the zone once, are checked at apply.
func (r *privateDNSZoneLinkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config privateDNSZoneLinkResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var unknown unknownFields
	c := spec.PrivateDNSZoneLinkConfig{
		Name:                unknown.str("name", config.Name),
		PrivateDNSZoneID:    unknown.str("private_dns_zone_id", config.PrivateDNSZoneID),
		VirtualNetworkID:    unknown.str("virtual_network_id", config.VirtualNetworkID),
		RegistrationEnabled: config.RegistrationEnabled.ValueBool(),
	}
	addFieldErrors(&resp.Diagnostics, spec.ValidatePrivateDNSZoneLink(c).Without(unknown...))
}

// zoneNameFrom returns the lowercase zone name of a private_dns_zone_id value; the schema validator has
// already checked the form, so a failure here means corrupted state.
func zoneNameFrom(id types.String, diags *diag.Diagnostics) string {
	zone, err := spec.ParsePrivateDNSZoneID(id.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("private_dns_zone_id"), "Invalid Private DNS Zone ID", err.Error())
	}
	return spec.NormalizeDNSZoneName(zone)
}

// privateDNSZoneLinkAPI plugs the virtual network links of the cloud's private DNS zones into resourceShape.
type privateDNSZoneLinkAPI struct {
	childCalls[model.PrivateDNSZoneLink]
	inUseOnConflict
}

// The shape finds hooks by type assertion; this makes a mistyped one a compile error.
var _ deleteConflictExplainer = privateDNSZoneLinkAPI{}

// linkObject takes the lowercase zone name.
func linkObject(zone, name string) object {
	return childObject("Private DNS Zone Virtual Network Link", "virtual network link",
		spec.PrivateDNSZoneLinkID(zone, name), name, privateDNSZoneParent(zone))
}

func (privateDNSZoneLinkAPI) object(m *privateDNSZoneLinkResourceModel, diags *diag.Diagnostics) object {
	return linkObject(zoneNameFrom(m.PrivateDNSZoneID, diags), m.Name.ValueString())
}

func (privateDNSZoneLinkAPI) importObject(id string) (object, error) {
	zone, name, err := spec.ParsePrivateDNSZoneLinkID(id)
	return linkObject(spec.NormalizeDNSZoneName(zone), name), err
}

func (privateDNSZoneLinkAPI) timeouts(m *privateDNSZoneLinkResourceModel) timeouts.Value {
	return m.Timeouts
}

func (privateDNSZoneLinkAPI) expand(_ context.Context, m, _ *privateDNSZoneLinkResourceModel, _ *diag.Diagnostics) model.PrivateDNSZoneLink {
	return model.PrivateDNSZoneLink{
		Name:                m.Name.ValueString(),
		VirtualNetworkID:    m.VirtualNetworkID.ValueString(),
		RegistrationEnabled: m.RegistrationEnabled.ValueBool(),
	}
}

// flatten copies what the cloud reports into m, keeping the configured spelling of the zone ID (zone names
// are case-insensitive; the cloud reports them in lowercase).
func (privateDNSZoneLinkAPI) flatten(_ context.Context, o object, l *model.PrivateDNSZoneLink, m *privateDNSZoneLinkResourceModel, _ *diag.Diagnostics) {
	zone := o.Parent.Name
	if l.ZoneName != "" {
		zone = l.ZoneName
	}
	m.ID = types.StringValue(spec.PrivateDNSZoneLinkID(spec.NormalizeDNSZoneName(zone), l.Name))
	m.Name = types.StringValue(l.Name)
	m.PrivateDNSZoneID = keepSpelling(m.PrivateDNSZoneID, spec.PrivateDNSZoneID(zone))
	m.VirtualNetworkID = types.StringValue(l.VirtualNetworkID)
	m.RegistrationEnabled = types.BoolValue(l.RegistrationEnabled)
}
