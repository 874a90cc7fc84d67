package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Plan-time helpers of the resources whose objects are servers (flexpg_server, flexpg_read_replica), each
// driven by the resource's spec field table.

// reportUnlessReplacing reports the update rules errs breaks unless the plan replaces the resource anyway: a
// change to an immutable field (or one not known yet, which Terraform plans as a replacement) makes the rest
// irrelevant, since a new resource is created. unknown lists the fields whose planned values are unknown;
// their errors are dropped.
func reportUnlessReplacing(diags *diag.Diagnostics, errs spec.FieldErrors, unknown []string, table spec.Table) {
	replacing := false
	for _, attr := range unknown {
		if f, ok := table.Lookup(attr); ok && f.Immutable {
			replacing = true
		}
	}
	var rest spec.FieldErrors
	for _, e := range errs.Without(unknown...) {
		if e.Rule.Kind().PlansReplacement() {
			replacing = true
			continue
		}
		rest = append(rest, e)
	}
	if !replacing {
		addFieldErrors(diags, rest)
	}
}

// keepStateWhenUnchanged plans no change at all when, after the modifiers, every input of the table (and the
// timeouts) equals the state. Terraform marks computed attributes unknown as soon as the proposed plan
// differs from the state, which it does when the configuration says storage_mb = 65536 and the cloud has
// grown the disk to 131072. KeepAutoGrownStorage then plans the current size, but the computed attributes
// (ha_state, replication_state, ...) would stay unknown and show a spurious update; with nothing the user
// controls changing, nothing the cloud computes changes either.
func keepStateWhenUnchanged(state tfsdk.State, plan *tfsdk.Plan, table spec.Table, diags *diag.Diagnostics) {
	var planned, current map[string]tftypes.Value
	if err := plan.Raw.As(&planned); err != nil {
		diags.AddError("Unexpected Plan Shape", "This is a bug in the provider; please report it: "+err.Error())
		return
	}
	if err := state.Raw.As(&current); err != nil {
		diags.AddError("Unexpected State Shape", "This is a bug in the provider; please report it: "+err.Error())
		return
	}
	inputs := []string{"timeouts"}
	for _, f := range table.Fields {
		inputs = append(inputs, f.Attribute)
	}
	for _, name := range inputs {
		if !planned[name].Equal(current[name]) {
			return
		}
	}
	plan.Raw = state.Raw.Copy()
}
