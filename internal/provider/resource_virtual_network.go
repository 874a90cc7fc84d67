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
	_ resource.Resource                   = &virtualNetworkResource{}
	_ resource.ResourceWithValidateConfig = &virtualNetworkResource{}
)

// NewVirtualNetworkResource is the flexpg_virtual_network resource.
func NewVirtualNetworkResource() resource.Resource {
	r := &virtualNetworkResource{}
	calls := tops((*client.Client).GetVirtualNetwork, (*client.Client).PutVirtualNetwork, (*client.Client).DeleteVirtualNetwork)
	r.plug("_virtual_network", virtualNetworkSchema, virtualNetworkAPI{topCalls: calls})
	return r
}

type virtualNetworkResource struct {
	resourceShape[virtualNetworkResourceModel, model.VirtualNetwork]
}

type virtualNetworkResourceModel struct {
	AddressSpace types.List     `tfsdk:"address_space"`
	ID           types.String   `tfsdk:"id"`
	Location     types.String   `tfsdk:"location"`
	Name         types.String   `tfsdk:"name"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func virtualNetworkSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a virtual network: a private address space whose subnets hold private-access " +
			"servers. The cloud makes each subnet a network on this machine.",
		Attributes: map[string]schema.Attribute{
			"address_space": schema.ListAttribute{
				MarkdownDescription: "Address blocks of the network; " + validators.AddressSpace().MarkdownDescription(ctx) +
					". Can change in place as long as every subnet stays inside it.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.List{validators.AddressSpace()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the network, `/" + spec.CollectionVirtualNetworks + "/<name>`; known at plan time.",
				Computed:            true,
				PlanModifiers: []planmodifier.String{planmodifiers.IDFromAttributes(
					"The ID is planned from name.", virtualNetworkIDFrom, path.Root("name"))},
			},
			"location": schema.StringAttribute{
				MarkdownDescription: "Region of the network; " + validators.Location().MarkdownDescription(ctx) +
					". Servers in its subnets must be in the same region. The cloud deletes a network only once it has no " +
					"subnets, so give its subnets `lifecycle { replace_triggered_by = [flexpg_virtual_network.<name>.location] }` " +
					"to have them replaced along with it.",
				Required:   true,
				Validators: []validator.String{validators.Location()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the network; " + validators.VirtualNetworkName().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.VirtualNetworkName()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.VirtualNetworkFields())
}

// ValidateConfig runs the rules the cloud runs on the configuration alone (spec.ValidateVirtualNetwork).
// Values not known yet are skipped; the cloud checks them at apply time, along with the rule that needs its
// state (the address space keeps covering the subnets).
func (r *virtualNetworkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config virtualNetworkResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var unknown unknownFields
	c := spec.VirtualNetworkConfig{
		Name:     unknown.str("name", config.Name),
		Location: unknown.str("location", config.Location),
	}
	space, partial := stringValues(config.AddressSpace)
	if partial && len(space) == 0 {
		unknown = append(unknown, "address_space")
	}
	c.AddressSpace = space
	addFieldErrors(&resp.Diagnostics, spec.ValidateVirtualNetwork(c).Without(unknown...))
}

// virtualNetworkAPI plugs the virtual networks of the cloud into resourceShape.
type virtualNetworkAPI struct {
	topCalls[model.VirtualNetwork]
	inUseOnConflict
}

// The shape finds hooks by type assertion; this makes a mistyped one a compile error.
var _ deleteConflictExplainer = virtualNetworkAPI{}

func virtualNetworkObject(name string) object {
	return topObject("Virtual Network", "virtual network", spec.VirtualNetworkID(name), name)
}

func (virtualNetworkAPI) object(m *virtualNetworkResourceModel, _ *diag.Diagnostics) object {
	return virtualNetworkObject(m.Name.ValueString())
}

func (virtualNetworkAPI) importObject(id string) (object, error) {
	name, err := spec.ParseVirtualNetworkID(id)
	return virtualNetworkObject(name), err
}

func (virtualNetworkAPI) timeouts(m *virtualNetworkResourceModel) timeouts.Value { return m.Timeouts }

func (virtualNetworkAPI) expand(ctx context.Context, m, _ *virtualNetworkResourceModel, diags *diag.Diagnostics) model.VirtualNetwork {
	v := model.VirtualNetwork{Name: m.Name.ValueString(), Location: m.Location.ValueString()}
	diags.Append(m.AddressSpace.ElementsAs(ctx, &v.AddressSpace, false)...)
	return v
}

func (virtualNetworkAPI) flatten(ctx context.Context, _ object, v *model.VirtualNetwork, m *virtualNetworkResourceModel, diags *diag.Diagnostics) {
	m.ID = types.StringValue(spec.VirtualNetworkID(v.Name))
	m.Name = types.StringValue(v.Name)
	m.Location = types.StringValue(v.Location)
	space, d := types.ListValueFrom(ctx, types.StringType, v.AddressSpace)
	diags.Append(d...)
	m.AddressSpace = space
}
