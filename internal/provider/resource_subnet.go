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
	_ resource.Resource                   = &subnetResource{}
	_ resource.ResourceWithConfigure      = &subnetResource{}
	_ resource.ResourceWithImportState    = &subnetResource{}
	_ resource.ResourceWithValidateConfig = &subnetResource{}
)

// NewSubnetResource is the flexpg_subnet resource.
func NewSubnetResource() resource.Resource {
	return &subnetResource{}
}

type subnetResource struct {
	holder *clientHolder
}

type subnetResourceModel struct {
	AddressPrefix    types.String   `tfsdk:"address_prefix"`
	Delegation       types.String   `tfsdk:"delegation"`
	ID               types.String   `tfsdk:"id"`
	Name             types.String   `tfsdk:"name"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
	VirtualNetworkID types.String   `tfsdk:"virtual_network_id"`
}

func (r *subnetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_subnet"
}

func (r *subnetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
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
			"virtual_network_id": schema.StringAttribute{
				MarkdownDescription: "ID of the virtual network (`flexpg_virtual_network.<name>.id`); " +
					validators.VirtualNetworkID().MarkdownDescription(ctx) + ".",
				Required:   true,
				Validators: []validator.String{validators.VirtualNetworkID()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.SubnetFields())
}

func (r *subnetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
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

func (r *subnetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan subnetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vnet := vnetNameFrom(plan.VirtualNetworkID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	obj := subnetObject(vnet, name)
	body := expandSubnet(plan)
	ok := networkCreate(ctx, c, obj,
		func() error { _, err := c.GetSubnet(ctx, vnet, name); return err },
		func() (*model.Operation, error) { return c.PutSubnet(ctx, vnet, body) },
		func() {
			plan.ID = types.StringValue(obj.ID)
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		},
		&resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, vnet, obj, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *subnetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state subnetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vnet := vnetNameFrom(state.VirtualNetworkID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	s, err := c.GetSubnet(ctx, vnet, name)
	if errors.Is(err, client.ErrNotFound) {
		// The subnet, or its whole network, is gone.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Subnet",
			fmt.Sprintf("Could not read subnet %q of virtual network %q", name, vnet), err)
		return
	}
	flattenSubnet(vnet, s, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *subnetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan subnetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vnet := vnetNameFrom(plan.VirtualNetworkID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	obj := subnetObject(vnet, plan.Name.ValueString())
	body := expandSubnet(plan)
	if !networkUpdate(ctx, c, obj, func() (*model.Operation, error) { return c.PutSubnet(ctx, vnet, body) }, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, vnet, obj, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *subnetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state subnetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vnet := vnetNameFrom(state.VirtualNetworkID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	networkDelete(ctx, c, subnetObject(vnet, name),
		func() (*model.Operation, error) { return c.DeleteSubnet(ctx, vnet, name) }, &resp.Diagnostics)
}

func (r *subnetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	vnet, name, err := spec.ParseSubnetID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a subnet by its ID, /%s/<vnet>/%s/<name>: %s", spec.CollectionVirtualNetworks, spec.CollectionSubnets, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), spec.SubnetID(vnet, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("virtual_network_id"), spec.VirtualNetworkID(vnet))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func (r *subnetResource) readInto(ctx context.Context, c *client.Client, vnet string, obj networkObject, m *subnetResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	s, err := c.GetSubnet(ctx, vnet, m.Name.ValueString())
	if err != nil {
		readAfterChange(&diags, obj, err)
		return diags
	}
	flattenSubnet(vnet, s, m)
	return diags
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

func subnetObject(vnet, name string) networkObject {
	return networkObject{Kind: "Subnet", Noun: "subnet",
		What: fmt.Sprintf("subnet %q of virtual network %q", name, vnet), ID: spec.SubnetID(vnet, name)}
}

func expandSubnet(m subnetResourceModel) model.Subnet {
	return model.Subnet{
		Name:          m.Name.ValueString(),
		AddressPrefix: m.AddressPrefix.ValueString(),
		Delegation:    m.Delegation.ValueString(),
	}
}

// flattenSubnet copies what the cloud reports into m. The API omits an empty delegation; a configured
// `delegation = ""` is kept as such rather than turned into null.
func flattenSubnet(vnet string, s *model.Subnet, m *subnetResourceModel) {
	m.ID = types.StringValue(spec.SubnetID(vnet, s.Name))
	m.Name = types.StringValue(s.Name)
	m.VirtualNetworkID = types.StringValue(spec.VirtualNetworkID(vnet))
	m.AddressPrefix = types.StringValue(s.AddressPrefix)
	if s.Delegation == "" && known(m.Delegation) && m.Delegation.ValueString() == "" {
		return
	}
	m.Delegation = stringOrNull(s.Delegation)
}
