package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// KeepAutoGrownStorage keeps a storage size the cloud has grown.
//
// With auto-grow on, the cloud raises storage_mb by itself when the disk fills up, so the state can hold a
// larger size than the configuration. That is the feature working, not drift: planning the configured
// (smaller) size would be a shrink, which the service refuses (azurerm plans a destroy here, hashicorp/
// terraform-provider-azurerm#29463). This modifier plans the state's size instead whenever the resource's
// auto-grow attribute (autoGrow) is planned true and the configured size is below the current one. With
// auto-grow off, a configured size below the current one is left alone so the resource reports a plan-time
// error that names the current size.
func KeepAutoGrownStorage(autoGrow path.Path) planmodifier.Int64 {
	return keepAutoGrownStorage{autoGrow: autoGrow}
}

type keepAutoGrownStorage struct{ autoGrow path.Path }

func (m keepAutoGrownStorage) Description(_ context.Context) string {
	return "With auto-grow enabled, a size the cloud has grown beyond the configured one is kept."
}

func (m keepAutoGrownStorage) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m keepAutoGrownStorage) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return // create or destroy: nothing has grown
	}
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if req.PlanValue.ValueInt64() >= req.StateValue.ValueInt64() {
		return
	}
	var autoGrow, configured types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, m.autoGrow, &autoGrow)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, m.autoGrow, &configured)...)
	if autoGrow.IsUnknown() && configured.IsNull() {
		// An auto-grow the configuration leaves to the cloud (a read replica's, which is its source's) keeps
		// its current value (UseStateForUnknown), but modifiers see the plan before any of them ran.
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, m.autoGrow, &autoGrow)...)
	}
	if resp.Diagnostics.HasError() || !autoGrow.ValueBool() {
		return
	}
	resp.PlanValue = req.StateValue
}
