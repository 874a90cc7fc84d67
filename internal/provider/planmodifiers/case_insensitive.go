package planmodifiers

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// StringIgnoreCase plans the prior state value when the configured value differs from it only in letter
// case.
//
// Some values are case-insensitive to the service (a database charset: "utf8" is UTF8), and the cloud
// reports its own spelling. Without this, respelling the value in the configuration would plan a change,
// and for an immutable attribute a replacement that drops the database.
func StringIgnoreCase() planmodifier.String {
	return stringIgnoreCase{}
}

type stringIgnoreCase struct{}

func (m stringIgnoreCase) Description(_ context.Context) string {
	return "A value that differs from the current one only in letter case is not a change."
}

func (m stringIgnoreCase) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m stringIgnoreCase) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if strings.EqualFold(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
