package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Plan-time rules of flexpg_server. The configuration alone decides most rules, so ValidateConfig runs the
// same whole-server validator the cloud runs (spec.ValidateServer). Rules that need the prior state (storage
// only grows, the tier follows the size) run in ModifyPlan with spec.ValidateServerUpdate.

// ValidateConfig reports every rule the configuration breaks, on the attribute that breaks it. Values not
// known yet are skipped; the cloud checks them again at apply time.
func (r *serverResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config serverResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	password := config.AdministratorPassword
	usesWriteOnly := !config.AdministratorPasswordWO.IsNull()
	if usesWriteOnly {
		password = config.AdministratorPasswordWO
	}

	c, unknown := serverConfig(ctx, config, password)
	if usesWriteOnly {
		// The write-only password's own validator reports its format on its own attribute.
		unknown = append(unknown, "administrator_password")
	}
	errs := spec.ValidateServer(c).Without(unknown...)
	addFieldErrors(&resp.Diagnostics, configErrors(errs, config))
}

// configErrors drops the errors ValidateConfig must not report: a tier-for-size error when the size is not
// configured (the size is then the current one, or a restore's source's, known only at plan or apply time;
// ModifyPlan checks it when it is known).
func configErrors(errs spec.FieldErrors, config serverResourceModel) spec.FieldErrors {
	var out spec.FieldErrors
	for _, e := range errs {
		if e.Rule == spec.Rule("storage_tier", spec.KindAllowedForSize) && config.StorageMB.IsNull() {
			continue
		}
		out = append(out, e)
	}
	return out
}

// ModifyPlan fills in what the plan can know before apply and reports the rules that compare the plan with
// the current server.
func (r *serverResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config serverResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var state *serverResourceModel
	if !req.State.Raw.IsNull() {
		state = &serverResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if state == nil {
		planCreateOnly(config, &plan)
		checkServerCreate(ctx, plan, &resp.Diagnostics)
		planFromRestoreSource(config, &plan)
	}
	planStorageTier(config, state, &plan, &resp.Diagnostics)
	planPublicNetworkAccess(config, state, &plan)
	if state != nil {
		checkServerUpdate(ctx, *state, plan, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	if state != nil && !resp.Diagnostics.HasError() {
		keepStateWhenUnchanged(req.State, &resp.Plan, spec.ServerFields(), &resp.Diagnostics)
	}
}

// planCreateOnly plans what a create leaves unset of create_mode, source_server_id and
// point_in_time_restore_time_in_utc: nothing. They are computed only so that a configuration that drops them
// later keeps the server (UseStateForUnknown); at the create, unset is unset.
func planCreateOnly(config serverResourceModel, plan *serverResourceModel) {
	if config.CreateMode.IsNull() {
		plan.CreateMode = types.StringNull()
	}
	if config.SourceServerID.IsNull() {
		plan.SourceServerID = types.StringNull()
	}
	if config.PointInTimeRestoreTimeInUTC.IsNull() {
		plan.PointInTimeRestoreTimeInUTC = types.StringNull()
	}
}

// planFromRestoreSource leaves to the cloud what a new server takes from its restore source when the
// configuration leaves it unset: the version and the storage size, whose creation defaults (planned by the
// attributes' modifiers) apply only to a Default create (spec.IsDefaultMode). The SKU and the admin login
// are unknown already: nothing plans a default for them. An unknown create mode may turn out to be a
// restore, so it plans the same.
func planFromRestoreSource(config serverResourceModel, plan *serverResourceModel) {
	if !config.CreateMode.IsUnknown() && spec.IsDefaultMode(config.CreateMode.ValueString()) {
		return
	}
	if config.Version.IsNull() {
		plan.Version = types.StringUnknown()
	}
	if config.StorageMB.IsNull() {
		plan.StorageMB = types.Int64Unknown()
	}
}

// planStorageTier makes an unset storage_tier follow storage_mb: the current tier while the size stays, the
// new size's default tier when it changes (azurerm keeps the old tier and then fails, #25938). A configured
// tier is checked against the planned size.
func planStorageTier(config serverResourceModel, state *serverResourceModel, plan *serverResourceModel, diags *diag.Diagnostics) {
	if plan.StorageMB.IsUnknown() {
		if config.StorageTier.IsNull() {
			plan.StorageTier = types.StringUnknown()
		}
		return
	}
	mb := plan.StorageMB.ValueInt64()
	if !config.StorageTier.IsNull() {
		if !config.StorageTier.IsUnknown() {
			if fe := spec.ValidateStorageTier(mb, config.StorageTier.ValueString()); fe != nil {
				diags.AddAttributeError(path.Root("storage_tier"), "Invalid Attribute Value", fe.Message)
			}
		}
		return
	}
	if state != nil && state.StorageMB.ValueInt64() == mb && !state.StorageTier.IsNull() {
		plan.StorageTier = state.StorageTier
		return
	}
	if tier, ok := spec.DefaultStorageTier(mb); ok {
		plan.StorageTier = types.StringValue(tier)
		return
	}
	plan.StorageTier = types.StringUnknown()
}

// planPublicNetworkAccess plans the create-time default of public_network_access_enabled: true for a
// public server, false for a private one (delegated subnet). A server whose network the cloud decides (see
// planmodifiers.NetworkFromRestoreSource) leaves it unknown too. Afterwards UseStateForUnknown keeps it.
func planPublicNetworkAccess(config serverResourceModel, state *serverResourceModel, plan *serverResourceModel) {
	if state != nil || !config.PublicNetworkAccessEnabled.IsNull() || plan.DelegatedSubnetID.IsUnknown() {
		return
	}
	plan.PublicNetworkAccessEnabled = types.BoolValue(config.DelegatedSubnetID.IsNull())
}

// checkServerCreate runs the rules of a create alone (ValidateConfig cannot tell a create from an update): a
// restore is created without high availability.
func checkServerCreate(ctx context.Context, plan serverResourceModel, diags *diag.Diagnostics) {
	c, unknown := serverConfig(ctx, plan, types.StringNull())
	var errs spec.FieldErrors
	errs.Add(spec.ValidateRestoreStandalone(c.CreateMode, c.HA != nil))
	addFieldErrors(diags, errs.Without(unknown...))
}

// checkServerUpdate runs the update rules (storage only grows, among others) unless the plan replaces the
// server anyway (reportUnlessReplacing).
func checkServerUpdate(ctx context.Context, state, plan serverResourceModel, diags *diag.Diagnostics) {
	old, _ := serverConfig(ctx, state, types.StringNull())
	desired, unknown := serverConfig(ctx, plan, types.StringNull())
	reportUnlessReplacing(diags, spec.ValidateServerUpdate(old, desired), unknown, spec.ServerFields())
}
