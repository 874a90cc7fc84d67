package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// NetworkFromRestoreSource plans a network attribute of a server (delegated_subnet_id, private_dns_zone_id)
// that the configuration leaves unset: unset means public access, except for a create mode that puts the
// server in its source's network when given none (spec.TakesSourceNetwork: a point-in-time restore of a
// private server is private too). Then the value is the cloud's to report: unknown at the create, the
// current one afterwards. createMode is the resource's create_mode attribute.
//
// Why not Optional alone: the restored server reads back in its source's subnet, which a plan of null would
// call an inconsistent result. Why not UseStateForUnknown: removing the attribute from a public-or-private
// server's configuration must still plan public access (a replacement), as it does without restores.
func NetworkFromRestoreSource(createMode path.Path) planmodifier.String {
	return networkFromRestoreSource{createMode: createMode}
}

type networkFromRestoreSource struct{ createMode path.Path }

func (m networkFromRestoreSource) Description(_ context.Context) string {
	return "Unset, a point-in-time restore takes its source's value; any other server has none."
}

func (m networkFromRestoreSource) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m networkFromRestoreSource) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var mode types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, m.createMode, &mode)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case !mode.IsUnknown() && !spec.TakesSourceNetwork(mode.ValueString()):
		resp.PlanValue = types.StringNull()
	case req.State.Raw.IsNull():
		resp.PlanValue = types.StringUnknown() // the source's, or none: the cloud decides at the create
	default:
		resp.PlanValue = req.StateValue
	}
}
