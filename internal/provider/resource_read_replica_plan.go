package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Plan-time rules of flexpg_read_replica. ValidateConfig runs the rules the cloud runs on a replica request
// alone (spec.ValidateReplica); ModifyPlan runs those that compare the plan with the replica's current
// state (spec.ValidateReplicaUpdate: storage only grows, the ways replication_role may change) and the one
// of a create (a replica is created replicating). The rules against the source server (not Burstable, not
// a replica, room for one more, the replica at least as large, equal auto-grow, symmetry for a promotion)
// need the cloud's state and are the cloud's, at apply.

// ValidateConfig reports every rule the configuration breaks, on the attribute that breaks it. Values not
// known yet are skipped; the cloud checks them again at apply time.
func (r *readReplicaResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config readReplicaResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, unknown := replicaConfig(config)
	addFieldErrors(&resp.Diagnostics, spec.ValidateReplica(c).Without(unknown...))
}

// ModifyPlan reports the rules of a create or of a change, and plans no change when nothing the user
// controls changed (keepStateWhenUnchanged).
func (r *readReplicaResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan readReplicaResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		if known(plan.ReplicationRole) {
			var errs spec.FieldErrors
			errs.Add(spec.ValidateReplicaCreateRole(plan.ReplicationRole.ValueString()))
			addFieldErrors(&resp.Diagnostics, errs)
		}
		return
	}
	var state readReplicaResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	old, _ := replicaConfig(state)
	desired, unknown := replicaConfig(plan)
	reportUnlessReplacing(&resp.Diagnostics, spec.ValidateReplicaUpdate(old, desired), unknown, spec.ReplicaFields())
	if !resp.Diagnostics.HasError() {
		keepStateWhenUnchanged(req.State, &resp.Plan, spec.ReplicaFields(), &resp.Diagnostics)
	}
}
