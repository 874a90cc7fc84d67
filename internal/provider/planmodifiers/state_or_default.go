// Package planmodifiers holds the provider's custom plan modifiers. Each exists because the framework's
// built-in ones plan something a flexpg user would not expect; the doc comment of each says what and why.
package planmodifiers

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StringStateOrDefault plans, for an attribute the configuration leaves unset, the prior state value of an
// existing resource and value for a new one.
//
// Why not a schema Default: a Default is applied on every plan, so a server imported with version "15", or
// stopped from the CLI, would show a diff back to the default as soon as the attribute is omitted. The
// service's own semantics are "default at create, otherwise whatever the server has".
func StringStateOrDefault(value string) planmodifier.String {
	return stringStateOrDefault{value: value}
}

type stringStateOrDefault struct{ value string }

func (m stringStateOrDefault) Description(_ context.Context) string {
	return fmt.Sprintf("When unset, defaults to %q at create and keeps the current value afterwards.", m.value)
}

func (m stringStateOrDefault) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m stringStateOrDefault) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || !req.PlanValue.IsUnknown() || req.Plan.Raw.IsNull() {
		return
	}
	if !req.State.Raw.IsNull() && !req.StateValue.IsNull() {
		resp.PlanValue = req.StateValue
		return
	}
	resp.PlanValue = types.StringValue(m.value)
}

// Int64StateOrDefault is StringStateOrDefault for numbers.
func Int64StateOrDefault(value int64) planmodifier.Int64 {
	return int64StateOrDefault{value: value}
}

type int64StateOrDefault struct{ value int64 }

func (m int64StateOrDefault) Description(_ context.Context) string {
	return fmt.Sprintf("When unset, defaults to %d at create and keeps the current value afterwards.", m.value)
}

func (m int64StateOrDefault) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m int64StateOrDefault) PlanModifyInt64(_ context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if !req.ConfigValue.IsNull() || !req.PlanValue.IsUnknown() || req.Plan.Raw.IsNull() {
		return
	}
	if !req.State.Raw.IsNull() && !req.StateValue.IsNull() {
		resp.PlanValue = req.StateValue
		return
	}
	resp.PlanValue = types.Int64Value(m.value)
}
