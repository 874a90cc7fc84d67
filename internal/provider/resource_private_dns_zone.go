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
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                = &privateDNSZoneResource{}
	_ resource.ResourceWithConfigure   = &privateDNSZoneResource{}
	_ resource.ResourceWithImportState = &privateDNSZoneResource{}
)

// NewPrivateDNSZoneResource is the flexpg_private_dns_zone resource.
func NewPrivateDNSZoneResource() resource.Resource {
	return &privateDNSZoneResource{}
}

type privateDNSZoneResource struct {
	holder *clientHolder
}

type privateDNSZoneResourceModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *privateDNSZoneResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_private_dns_zone"
}

// Schema: the zone's only argument is its name, so there is nothing to update and no update timeout. The
// single-field rule is the whole of the zone's own validation; a validator checks it.
func (r *privateDNSZoneResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
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

func (r *privateDNSZoneResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *privateDNSZoneResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan privateDNSZoneResourceModel
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
	obj := privateDNSZoneObject(name)
	ok := networkCreate(ctx, c, obj,
		func() error { _, err := c.GetPrivateDNSZone(ctx, name); return err },
		func() (*model.Operation, error) { return c.PutPrivateDNSZone(ctx, model.PrivateDNSZone{Name: name}) },
		func() {
			plan.ID = types.StringValue(obj.ID)
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		},
		&resp.Diagnostics)
	if !ok {
		return
	}
	z, err := c.GetPrivateDNSZone(ctx, name)
	if err != nil {
		readAfterChange(&resp.Diagnostics, obj, err)
		return
	}
	flattenPrivateDNSZone(z, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *privateDNSZoneResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state privateDNSZoneResourceModel
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
	z, err := c.GetPrivateDNSZone(ctx, name)
	if errors.Is(err, client.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Private DNS Zone", fmt.Sprintf("Could not read private DNS zone %q", name), err)
		return
	}
	flattenPrivateDNSZone(z, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only records a new timeouts block: the name, the one argument, replaces the zone.
func (r *privateDNSZoneResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan privateDNSZoneResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *privateDNSZoneResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state privateDNSZoneResourceModel
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
	networkDelete(ctx, c, privateDNSZoneObject(name),
		func() (*model.Operation, error) { return c.DeletePrivateDNSZone(ctx, name) }, &resp.Diagnostics)
}

func (r *privateDNSZoneResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, err := spec.ParsePrivateDNSZoneID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a private DNS zone by its ID, /%s/<name>: %s", spec.CollectionPrivateDNSZones, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(name)))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func privateDNSZoneObject(name string) networkObject {
	return networkObject{Kind: "Private DNS Zone", Noun: "private DNS zone", What: fmt.Sprintf("private DNS zone %q", name),
		ID: spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(name))}
}

// flattenPrivateDNSZone keeps the configured spelling of the name; the cloud reports it in lowercase.
func flattenPrivateDNSZone(z *model.PrivateDNSZone, m *privateDNSZoneResourceModel) {
	m.Name = keepSpelling(m.Name, z.Name)
	m.ID = types.StringValue(spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(z.Name)))
}
