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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &firewallRuleResource{}
	_ resource.ResourceWithConfigure      = &firewallRuleResource{}
	_ resource.ResourceWithImportState    = &firewallRuleResource{}
	_ resource.ResourceWithValidateConfig = &firewallRuleResource{}
)

// NewFirewallRuleResource is the flexpg_firewall_rule resource.
func NewFirewallRuleResource() resource.Resource {
	return &firewallRuleResource{}
}

type firewallRuleResource struct {
	holder *clientHolder
}

func (r *firewallRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_firewall_rule"
}

func (r *firewallRuleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withFieldTable(schema.Schema{
		MarkdownDescription: "Allows an IPv4 address range to reach a public-access server. A server without rules " +
			"accepts no connections; the range `0.0.0.0`–`0.0.0.0` allows the cloud's own services.",
		Attributes: map[string]schema.Attribute{
			"end_ip_address": schema.StringAttribute{
				MarkdownDescription: "Last address of the range, inclusive; " + validators.EndIPAddress().MarkdownDescription(ctx) +
					", not lower than `start_ip_address`.",
				Required:   true,
				Validators: []validator.String{validators.EndIPAddress()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the rule, `/" + spec.CollectionServers + "/<server>/" + spec.CollectionFirewallRules + "/<name>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the rule; " + validators.FirewallRuleName().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.FirewallRuleName()},
			},
			"server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the server (`flexpg_server.<name>.id`).",
				Required:            true,
				Validators:          []validator.String{validators.ServerID("server_id")},
			},
			"start_ip_address": schema.StringAttribute{
				MarkdownDescription: "First address of the range; " + validators.StartIPAddress().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.StartIPAddress()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.FirewallRuleFields())
}

func (r *firewallRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the range as a whole (start ≤ end); each address's format is its own validator's job.
func (r *firewallRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config firewallRuleResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !known(config.StartIPAddress) || !known(config.EndIPAddress) {
		return
	}
	addFieldErrors(&resp.Diagnostics, spec.ValidateFirewallRange(config.StartIPAddress.ValueString(), config.EndIPAddress.ValueString()))
}

func (r *firewallRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan firewallRuleResourceModel
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
	if resp.Diagnostics.HasError() {
		return
	}

	name := plan.Name.ValueString()
	// PUT creates or replaces, so look first: silently taking over a rule made elsewhere would hide it.
	if _, err := c.GetFirewallRule(ctx, server, name); err == nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Firewall Rule Already Exists",
			fmt.Sprintf("Server %q already has a firewall rule named %q. To manage it with Terraform, import it: "+
				"terraform import <resource address> %s", server, name, spec.FirewallRuleID(server, name)))
		return
	} else if !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Creating Firewall Rule",
			fmt.Sprintf("Could not check for an existing firewall rule %q on server %q", name, server), err)
		return
	}

	tflog.Info(ctx, "creating firewall rule", map[string]any{"server": server, "name": name})
	if err := r.put(ctx, c, server, plan); err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Firewall Rule",
			fmt.Sprintf("Could not create firewall rule %q on server %q", name, server), err)
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, server, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *firewallRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state firewallRuleResourceModel
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
	if resp.Diagnostics.HasError() {
		return
	}

	rule, err := c.GetFirewallRule(ctx, server, state.Name.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		// The rule, or its whole server, is gone.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Firewall Rule",
			fmt.Sprintf("Could not read firewall rule %q of server %q", state.Name.ValueString(), server), err)
		return
	}
	flattenFirewallRule(server, rule, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *firewallRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan firewallRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	server := serverNameFrom(plan.ServerID, &resp.Diagnostics)
	c := clientFrom(ctx, r.holder, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if err := r.put(ctx, c, server, plan); err != nil {
		addAPIError(&resp.Diagnostics, "Error Updating Firewall Rule",
			fmt.Sprintf("Could not update firewall rule %q on server %q", plan.Name.ValueString(), server), err)
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, server, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *firewallRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state firewallRuleResourceModel
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
	if resp.Diagnostics.HasError() {
		return
	}

	err := mutate(ctx, c, func() (*model.Operation, error) {
		return c.DeleteFirewallRule(ctx, server, state.Name.ValueString())
	})
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Firewall Rule",
			fmt.Sprintf("Could not delete firewall rule %q of server %q", state.Name.ValueString(), server), err)
	}
}

func (r *firewallRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importChild(ctx, req.ID, spec.CollectionFirewallRules, resp)
}

func (r *firewallRuleResource) put(ctx context.Context, c *client.Client, server string, m firewallRuleResourceModel) error {
	return mutate(ctx, c, func() (*model.Operation, error) {
		return c.PutFirewallRule(ctx, server, expandFirewallRule(m))
	})
}

func (r *firewallRuleResource) readInto(ctx context.Context, c *client.Client, server string, m *firewallRuleResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	rule, err := c.GetFirewallRule(ctx, server, m.Name.ValueString())
	if err != nil {
		addAPIError(&diags, "Error Reading Firewall Rule",
			fmt.Sprintf("Could not read firewall rule %q of server %q after changing it", m.Name.ValueString(), server), err)
		return diags
	}
	flattenFirewallRule(server, rule, m)
	return diags
}

func expandFirewallRule(m firewallRuleResourceModel) model.FirewallRule {
	return model.FirewallRule{
		Name:           m.Name.ValueString(),
		StartIPAddress: m.StartIPAddress.ValueString(),
		EndIPAddress:   m.EndIPAddress.ValueString(),
	}
}

func flattenFirewallRule(server string, rule *model.FirewallRule, m *firewallRuleResourceModel) {
	m.ID = types.StringValue(spec.FirewallRuleID(server, rule.Name))
	m.Name = types.StringValue(rule.Name)
	m.ServerID = types.StringValue(spec.ServerID(server))
	m.StartIPAddress = types.StringValue(rule.StartIPAddress)
	m.EndIPAddress = types.StringValue(rule.EndIPAddress)
}

type firewallRuleResourceModel struct {
	EndIPAddress   types.String   `tfsdk:"end_ip_address"`
	ID             types.String   `tfsdk:"id"`
	Name           types.String   `tfsdk:"name"`
	ServerID       types.String   `tfsdk:"server_id"`
	StartIPAddress types.String   `tfsdk:"start_ip_address"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}
