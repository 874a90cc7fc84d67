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
	_ resource.ResourceWithConfigure      = &privateDNSZoneLinkResource{}
	_ resource.ResourceWithImportState    = &privateDNSZoneLinkResource{}
	_ resource.ResourceWithValidateConfig = &privateDNSZoneLinkResource{}
)

// NewPrivateDNSZoneLinkResource is the flexpg_private_dns_zone_virtual_network_link resource.
func NewPrivateDNSZoneLinkResource() resource.Resource {
	return &privateDNSZoneLinkResource{}
}

type privateDNSZoneLinkResource struct {
	holder *clientHolder
}

type privateDNSZoneLinkResourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	Name                types.String   `tfsdk:"name"`
	PrivateDNSZoneID    types.String   `tfsdk:"private_dns_zone_id"`
	RegistrationEnabled types.Bool     `tfsdk:"registration_enabled"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
	VirtualNetworkID    types.String   `tfsdk:"virtual_network_id"`
}

func (r *privateDNSZoneLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_private_dns_zone_virtual_network_link"
}

func (r *privateDNSZoneLinkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
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
	}, spec.PrivateDNSZoneLinkFields())
}

func (r *privateDNSZoneLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
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

func (r *privateDNSZoneLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan privateDNSZoneLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	zone := zoneNameFrom(plan.PrivateDNSZoneID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := plan.Name.ValueString()
	obj := linkObject(zone, name)
	body := expandLink(plan)
	ok := networkCreate(ctx, c, obj,
		func() error { _, err := c.GetPrivateDNSZoneLink(ctx, zone, name); return err },
		func() (*model.Operation, error) { return c.PutPrivateDNSZoneLink(ctx, zone, body) },
		func() {
			plan.ID = types.StringValue(obj.ID)
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		},
		&resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, zone, obj, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *privateDNSZoneLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state privateDNSZoneLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	zone := zoneNameFrom(state.PrivateDNSZoneID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	l, err := c.GetPrivateDNSZoneLink(ctx, zone, name)
	if errors.Is(err, client.ErrNotFound) {
		// The link, or its whole zone, is gone.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Private DNS Zone Virtual Network Link",
			fmt.Sprintf("Could not read virtual network link %q of private DNS zone %q", name, zone), err)
		return
	}
	flattenLink(zone, l, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *privateDNSZoneLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan privateDNSZoneLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	zone := zoneNameFrom(plan.PrivateDNSZoneID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	obj := linkObject(zone, plan.Name.ValueString())
	body := expandLink(plan)
	if !networkUpdate(ctx, c, obj, func() (*model.Operation, error) { return c.PutPrivateDNSZoneLink(ctx, zone, body) }, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, zone, obj, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *privateDNSZoneLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state privateDNSZoneLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	zone := zoneNameFrom(state.PrivateDNSZoneID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if c == nil {
		return
	}

	name := state.Name.ValueString()
	networkDelete(ctx, c, linkObject(zone, name),
		func() (*model.Operation, error) { return c.DeletePrivateDNSZoneLink(ctx, zone, name) }, &resp.Diagnostics)
}

func (r *privateDNSZoneLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	zone, name, err := spec.ParsePrivateDNSZoneLinkID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a private DNS zone virtual network link by its ID, /%s/<zone>/%s/<name>: %s",
				spec.CollectionPrivateDNSZones, spec.CollectionDNSZoneLinks, err))
		return
	}
	zone = spec.NormalizeDNSZoneName(zone)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), spec.PrivateDNSZoneLinkID(zone, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("private_dns_zone_id"), spec.PrivateDNSZoneID(zone))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func (r *privateDNSZoneLinkResource) readInto(ctx context.Context, c *client.Client, zone string, obj networkObject, m *privateDNSZoneLinkResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	l, err := c.GetPrivateDNSZoneLink(ctx, zone, m.Name.ValueString())
	if err != nil {
		readAfterChange(&diags, obj, err)
		return diags
	}
	flattenLink(zone, l, m)
	return diags
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

func linkObject(zone, name string) networkObject {
	return networkObject{Kind: "Private DNS Zone Virtual Network Link", Noun: "virtual network link",
		What: fmt.Sprintf("virtual network link %q of private DNS zone %q", name, zone),
		ID:   spec.PrivateDNSZoneLinkID(zone, name)}
}

func expandLink(m privateDNSZoneLinkResourceModel) model.PrivateDNSZoneLink {
	return model.PrivateDNSZoneLink{
		Name:                m.Name.ValueString(),
		VirtualNetworkID:    m.VirtualNetworkID.ValueString(),
		RegistrationEnabled: m.RegistrationEnabled.ValueBool(),
	}
}

// flattenLink copies what the cloud reports into m, keeping the configured spelling of the zone ID (zone
// names are case-insensitive; the cloud reports them in lowercase).
func flattenLink(zone string, l *model.PrivateDNSZoneLink, m *privateDNSZoneLinkResourceModel) {
	if l.ZoneName != "" {
		zone = l.ZoneName
	}
	m.ID = types.StringValue(spec.PrivateDNSZoneLinkID(spec.NormalizeDNSZoneName(zone), l.Name))
	m.Name = types.StringValue(l.Name)
	m.PrivateDNSZoneID = keepSpelling(m.PrivateDNSZoneID, spec.PrivateDNSZoneID(zone))
	m.VirtualNetworkID = types.StringValue(l.VirtualNetworkID)
	m.RegistrationEnabled = types.BoolValue(l.RegistrationEnabled)
}
