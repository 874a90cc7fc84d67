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

var (
	_ resource.Resource                   = &subnetResource{}
	_ resource.ResourceWithValidateConfig = &subnetResource{}
)

// NewSubnetResource is the flexpg_subnet resource.
func NewSubnetResource() resource.Resource {
	r := &subnetResource{}
	calls := children((*client.Client).GetSubnet, (*client.Client).PutSubnet, (*client.Client).DeleteSubnet)
	r.plug("_subnet", subnetSchema, subnetAPI{childCalls: calls})
	return r
}

type subnetResource struct {
	resourceShape[subnetResourceModel, model.Subnet]
}

type subnetResourceModel struct {
	AddressPrefix    types.String   `tfsdk:"address_prefix"`
	Delegation       types.String   `tfsdk:"delegation"`
	ID               types.String   `tfsdk:"id"`
	Name             types.String   `tfsdk:"name"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
	VirtualNetworkID types.String   `tfsdk:"virtual_network_id"`
}

func subnetSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a subnet of a virtual network. A subnet delegated to `" + spec.DelegationFlexibleServers +
			"` holds private-access servers (`delegated_subnet_id` of `flexpg_server`) and nothing else.",
		Attributes: map[string]schema.Attribute{
			"address_prefix": schema.StringAttribute{
				MarkdownDescription: "Address block of the subnet; " + validators.AddressPrefix().MarkdownDescription(ctx) +
					". It must lie inside the network's `address_space` and overlap no other subnet of the network " +
					"(checked at apply). It can change in place only while no server uses the subnet: the size of a " +
					"subnet that holds servers is fixed.",
				Required:   true,
				Validators: []validator.String{validators.AddressPrefix()},
			},
			"delegation": schema.StringAttribute{
				MarkdownDescription: "Service the subnet is delegated to; " + validators.Delegation().MarkdownDescription(ctx) +
					". Unset, the subnet holds no servers. It can change only while no server uses the subnet.",
				Optional:   true,
				Validators: []validator.String{validators.Delegation()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the subnet, `/" + spec.CollectionVirtualNetworks + "/<vnet>/" + spec.CollectionSubnets +
					"/<name>`; known at plan time, so a server's `delegated_subnet_id` can be checked before apply.",
				Computed: true,
				PlanModifiers: []planmodifier.String{planmodifiers.IDFromAttributes(
					"The ID is planned from virtual_network_id and name.", subnetIDFrom,
					path.Root("virtual_network_id"), path.Root("name"))},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the subnet; " + validators.SubnetName().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.SubnetName()},
			},
			"virtual_network_id": virtualNetworkIDAttribute(ctx),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.SubnetFields())
}

// ValidateConfig runs the rules the cloud runs on the configuration alone (spec.ValidateSubnet). The rules
// that need the cloud's state (the prefix inside the network's address space, clear of its other subnets, and
// fixed while servers use the subnet) are checked at apply time.
func (r *subnetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config subnetResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var unknown unknownFields
	c := spec.SubnetConfig{
		Name:             unknown.str("name", config.Name),
		VirtualNetworkID: unknown.str("virtual_network_id", config.VirtualNetworkID),
		AddressPrefix:    unknown.str("address_prefix", config.AddressPrefix),
		Delegation:       unknown.str("delegation", config.Delegation),
	}
	addFieldErrors(&resp.Diagnostics, spec.ValidateSubnet(c).Without(unknown...))
}

// vnetNameFrom returns the network name of a virtual_network_id value; the schema validator has already
// checked the form, so a failure here means corrupted state.
func vnetNameFrom(id types.String, diags *diag.Diagnostics) string {
	name, err := spec.ParseVirtualNetworkID(id.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("virtual_network_id"), "Invalid Virtual Network ID", err.Error())
	}
	return name
}

// subnetAPI plugs the subnets of the cloud into resourceShape.
type subnetAPI struct {
	childCalls[model.Subnet]
	inUseOnConflict
}

// The shape finds hooks by type assertion; this makes a mistyped one a compile error.
var _ deleteConflictExplainer = subnetAPI{}

func subnetObject(vnet, name string) object {
	return childObject("Subnet", "subnet", spec.SubnetID(vnet, name), name, virtualNetworkParent(vnet))
}

func (subnetAPI) object(m *subnetResourceModel, diags *diag.Diagnostics) object {
	return subnetObject(vnetNameFrom(m.VirtualNetworkID, diags), m.Name.ValueString())
}

func (subnetAPI) importObject(id string) (object, error) {
	vnet, name, err := spec.ParseSubnetID(id)
	return subnetObject(vnet, name), err
}

func (subnetAPI) timeouts(m *subnetResourceModel) timeouts.Value { return m.Timeouts }

func (subnetAPI) expand(_ context.Context, m, _ *subnetResourceModel, _ *diag.Diagnostics) model.Subnet {
	return model.Subnet{
		Name:          m.Name.ValueString(),
		AddressPrefix: m.AddressPrefix.ValueString(),
		Delegation:    m.Delegation.ValueString(),
	}
}

// flatten copies what the cloud reports into m. The API omits an empty delegation; a configured
// `delegation = ""` is kept as such rather than turned into null.
func (subnetAPI) flatten(_ context.Context, o object, s *model.Subnet, m *subnetResourceModel, _ *diag.Diagnostics) {
	m.ID = types.StringValue(spec.SubnetID(o.Parent.Name, s.Name))
	m.Name = types.StringValue(s.Name)
	m.VirtualNetworkID = types.StringValue(o.Parent.ID)
	m.AddressPrefix = types.StringValue(s.AddressPrefix)
	if s.Delegation == "" && known(m.Delegation) && m.Delegation.ValueString() == "" {
		return
	}
	m.Delegation = stringOrNull(s.Delegation)
}
