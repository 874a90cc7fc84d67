package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Small conversions between API values and Terraform values, shared by the resources and data sources.

// stringOrNull maps the API's "absent" (empty string) to null.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// int64OrNull maps the API's "absent" (zero) to null; used for values that are never legitimately zero.
func int64OrNull(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

// objectAs decodes a known, non-null object into T. diags may be nil when the caller only validates and the
// value has already been decoded successfully elsewhere.
func objectAs[T any](ctx context.Context, obj types.Object, diags *diag.Diagnostics) (T, bool) {
	var out T
	if obj.IsNull() || obj.IsUnknown() {
		return out, false
	}
	d := obj.As(ctx, &out, basetypes.ObjectAsOptions{})
	if diags != nil {
		diags.Append(d...)
	}
	return out, !d.HasError()
}

// singleBlock decodes the one element of a block of at most one (high_availability { ... }) into T; false
// when the block is absent or not known.
func singleBlock[T any](ctx context.Context, list types.List, diags *diag.Diagnostics) (T, bool) {
	var out T
	if list.IsNull() || list.IsUnknown() || len(list.Elements()) == 0 {
		return out, false
	}
	obj, ok := list.Elements()[0].(types.Object)
	if !ok {
		return out, false
	}
	return objectAs[T](ctx, obj, diags)
}

// noBlock is an absent block of at most one: an empty list, as Terraform reads an unwritten block.
func noBlock(attrTypes map[string]attr.Type) types.List {
	return types.ListValueMust(types.ObjectType{AttrTypes: attrTypes}, []attr.Value{})
}

// oneBlock is a block of at most one holding values.
func oneBlock(attrTypes map[string]attr.Type, values map[string]attr.Value, diags *diag.Diagnostics) types.List {
	obj, d := types.ObjectValue(attrTypes, values)
	diags.Append(d...)
	if d.HasError() {
		return noBlock(attrTypes)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: attrTypes}, []attr.Value{obj})
	diags.Append(d...)
	return list
}

// expandTags returns the tags of a known map, or nil.
func expandTags(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	tags := make(map[string]string, len(m.Elements()))
	diags.Append(m.ElementsAs(ctx, &tags, false)...)
	return tags
}

// flattenTags returns the API's tags as a map. No tags is null, unless the prior value was an empty map
// (`tags = {}` in the configuration), which is kept so the result matches the plan.
func flattenTags(ctx context.Context, tags map[string]string, prior types.Map, diags *diag.Diagnostics) types.Map {
	if len(tags) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() && len(prior.Elements()) == 0 {
			return prior
		}
		return types.MapNull(types.StringType)
	}
	m, d := types.MapValueFrom(ctx, types.StringType, tags)
	diags.Append(d...)
	return m
}
