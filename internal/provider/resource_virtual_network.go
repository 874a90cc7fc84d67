package provider

import (
	"context"
	"errors"
	"fmt"

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
	_ resource.ResourceWithConfigure      = &virtualNetworkResource{}
	_ resource.ResourceWithImportState    = &virtualNetworkResource{}
	_ resource.ResourceWithValidateConfig = &virtualNetworkResource{}
)

// NewVirtualNetworkResource is the flexpg_virtual_network resource.
func NewVirtualNetworkResource() resource.Resource {
	return &virtualNetworkResource{}
}

type virtualNetworkResource struct {
	holder *clientHolder
}

type virtualNetworkResourceModel struct {
	AddressSpace types.List     `tfsdk:"address_space"`
	ID           types.String   `tfsdk:"id"`
	Location     types.String   `tfsdk:"location"`
	Name         types.String   `tfsdk:"name"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (r *virtualNetworkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_virtual_network"
}

func (r *virtualNetworkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
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

func (r *virtualNetworkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
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

func (r *virtualNetworkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan virtualNetworkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	obj := virtualNetworkObject(name)
	body := expandVirtualNetwork(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ok := networkCreate(ctx, c, obj,
		func() error { _, err := c.GetVirtualNetwork(ctx, name); return err },
		func() (*model.Operation, error) { return c.PutVirtualNetwork(ctx, body) },
		func() {
			plan.ID = types.StringValue(obj.ID)
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		},
		&resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, obj, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *virtualNetworkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state virtualNetworkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	v, err := c.GetVirtualNetwork(ctx, name)
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Virtual Network", fmt.Sprintf("Could not read virtual network %q", name), err)
		return
	}
	resp.Diagnostics.Append(flattenVirtualNetwork(ctx, v, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *virtualNetworkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan virtualNetworkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	obj := virtualNetworkObject(plan.Name.ValueString())
	body := expandVirtualNetwork(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !networkUpdate(ctx, c, obj, func() (*model.Operation, error) { return c.PutVirtualNetwork(ctx, body) }, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, obj, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *virtualNetworkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state virtualNetworkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	networkDelete(ctx, c, virtualNetworkObject(name),
		func() (*model.Operation, error) { return c.DeleteVirtualNetwork(ctx, name) }, &resp.Diagnostics)
}

func (r *virtualNetworkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, err := spec.ParseVirtualNetworkID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a virtual network by its ID, /%s/<name>: %s", spec.CollectionVirtualNetworks, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), spec.VirtualNetworkID(name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func (r *virtualNetworkResource) readInto(ctx context.Context, c *client.Client, obj networkObject, m *virtualNetworkResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	v, err := c.GetVirtualNetwork(ctx, m.Name.ValueString())
	if err != nil {
		readAfterChange(&diags, obj, err)
		return diags
	}
	diags.Append(flattenVirtualNetwork(ctx, v, m)...)
	return diags
}

func virtualNetworkObject(name string) networkObject {
	return networkObject{Kind: "Virtual Network", Noun: "virtual network", What: fmt.Sprintf("virtual network %q", name),
		ID: spec.VirtualNetworkID(name)}
}

func expandVirtualNetwork(ctx context.Context, m virtualNetworkResourceModel, diags *diag.Diagnostics) model.VirtualNetwork {
	v := model.VirtualNetwork{Name: m.Name.ValueString(), Location: m.Location.ValueString()}
	diags.Append(m.AddressSpace.ElementsAs(ctx, &v.AddressSpace, false)...)
	return v
}

func flattenVirtualNetwork(ctx context.Context, v *model.VirtualNetwork, m *virtualNetworkResourceModel) diag.Diagnostics {
	m.ID = types.StringValue(spec.VirtualNetworkID(v.Name))
	m.Name = types.StringValue(v.Name)
	m.Location = types.StringValue(v.Location)
	space, diags := types.ListValueFrom(ctx, types.StringType, v.AddressSpace)
	m.AddressSpace = space
	return diags
}
