package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// IDFromAttributes plans a computed ID from other string attributes of the same resource (from, in order) as
// soon as all of them are known. build returns false for values that make no ID (they are invalid, and a
// validator reports them); the ID then stays unknown until apply.
//
// Why: the usual UseStateForUnknown leaves a new resource's ID unknown until apply. The network resources'
// IDs are pure functions of their names, and a server that references flexpg_subnet.x.id or
// flexpg_private_dns_zone.x.id needs those values at plan time for its own network rules (the zone's suffix,
// the zone not being the server's FQDN) to run before anything is created.
func IDFromAttributes(description string, build func(values []string) (string, bool), from ...path.Path) planmodifier.String {
	return idFromAttributes{description: description, build: build, from: from}
}

type idFromAttributes struct {
	description string
	build       func([]string) (string, bool)
	from        []path.Path
}

func (m idFromAttributes) Description(_ context.Context) string { return m.description }

func (m idFromAttributes) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m idFromAttributes) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	values := make([]string, len(m.from))
	for i, p := range m.from {
		var v types.String
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, p, &v)...)
		if resp.Diagnostics.HasError() || v.IsNull() || v.IsUnknown() {
			return
		}
		values[i] = v.ValueString()
	}
	if id, ok := m.build(values); ok {
		resp.PlanValue = types.StringValue(id)
	}
}
