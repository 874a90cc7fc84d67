package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &firewallRuleResource{}
	_ resource.ResourceWithValidateConfig = &firewallRuleResource{}
)

// NewFirewallRuleResource is the flexpg_firewall_rule resource.
func NewFirewallRuleResource() resource.Resource {
	r := &firewallRuleResource{}
	calls := children((*client.Client).GetFirewallRule, (*client.Client).PutFirewallRule, (*client.Client).DeleteFirewallRule)
	r.plug("_firewall_rule", firewallRuleSchema, firewallRuleAPI{childCalls: calls})
	return r
}

type firewallRuleResource struct {
	resourceShape[firewallRuleResourceModel, model.FirewallRule]
}

func firewallRuleSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
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
			"server_id": serverIDAttribute(),
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

// ValidateConfig checks the range as a whole (start ≤ end); each address's format is its own validator's job.
func (r *firewallRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config firewallRuleResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !known(config.StartIPAddress) || !known(config.EndIPAddress) {
		return
	}
	addFieldErrors(&resp.Diagnostics, spec.ValidateFirewallRange(config.StartIPAddress.ValueString(), config.EndIPAddress.ValueString()))
}

// firewallRuleAPI plugs the firewall rules of the cloud into resourceShape.
type firewallRuleAPI struct {
	childCalls[model.FirewallRule]
}

func firewallRuleObject(server, name string) object {
	return childObject("Firewall Rule", "firewall rule", spec.FirewallRuleID(server, name), name, serverParent(server))
}

func (firewallRuleAPI) object(m *firewallRuleResourceModel, diags *diag.Diagnostics) object {
	return firewallRuleObject(serverNameFrom(m.ServerID, diags), m.Name.ValueString())
}

func (firewallRuleAPI) importObject(id string) (object, error) {
	server, name, err := spec.ParseChildID(id, spec.CollectionFirewallRules)
	return firewallRuleObject(server, name), err
}

func (firewallRuleAPI) timeouts(m *firewallRuleResourceModel) timeouts.Value { return m.Timeouts }

func (firewallRuleAPI) expand(_ context.Context, m, _ *firewallRuleResourceModel, _ *diag.Diagnostics) model.FirewallRule {
	return model.FirewallRule{
		Name:           m.Name.ValueString(),
		StartIPAddress: m.StartIPAddress.ValueString(),
		EndIPAddress:   m.EndIPAddress.ValueString(),
	}
}

func (firewallRuleAPI) flatten(_ context.Context, o object, rule *model.FirewallRule, m *firewallRuleResourceModel, _ *diag.Diagnostics) {
	m.ID = types.StringValue(spec.FirewallRuleID(o.Parent.Name, rule.Name))
	m.Name = types.StringValue(rule.Name)
	m.ServerID = types.StringValue(o.Parent.ID)
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
