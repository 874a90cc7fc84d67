package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// VersionDowngradeDescription is the description of RequiresReplaceOnVersionDowngrade.
const VersionDowngradeDescription = "Lowering the major version destroys and recreates the server; raising it is an in-place change."

// RequiresReplaceOnVersionDowngrade replaces a server whose major version is lowered.
//
// PostgreSQL data directories cannot be downgraded, so a lower version can only be a new server. An upgrade
// stays an in-place update (the service upgrades in place; the cloud may refuse it for now, at apply time).
func RequiresReplaceOnVersionDowngrade() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			if req.StateValue.IsNull() || req.PlanValue.IsUnknown() || req.PlanValue.IsNull() {
				return
			}
			resp.RequiresReplace = spec.CompareVersions(req.PlanValue.ValueString(), req.StateValue.ValueString()) < 0
		},
		VersionDowngradeDescription, VersionDowngradeDescription,
	)
}
