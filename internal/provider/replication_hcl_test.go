package provider_test

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Configurations of the replication tests, shared by the flow tests (memcloud) and the acceptance tests.

// gpSKU is the smallest SKU that takes read replicas.
const gpSKU = `"GP_Standard_D2s_v3"`

// primaryHCL is the flexpg_server labelled label, named name, on a GeneralPurpose SKU unless overrides say
// otherwise.
func primaryHCL(label, name string, overrides map[string]string) string {
	return serverBlockHCL(label, mergeAttrs(map[string]string{"name": fmt.Sprintf("%q", name), "sku_name": gpSKU}, overrides), "")
}

// replicaBlockHCL is the flexpg_read_replica labelled label, named name, of source (an expression:
// flexpg_server.test.id, or a quoted ID), with more attributes.
func replicaBlockHCL(label, name, source string, more map[string]string) string {
	return blockHCL(fmt.Sprintf("resource \"flexpg_read_replica\" %q", label),
		map[string]string{"name": fmt.Sprintf("%q", name), "source_server_id": source}, more, "")
}

// endpointBlockHCL is the flexpg_virtual_endpoint "test", named name, on source with its reader on reader
// (expressions).
func endpointBlockHCL(name, source, reader string) string {
	return blockHCL(`resource "flexpg_virtual_endpoint" "test"`, map[string]string{
		"name": fmt.Sprintf("%q", name), "source_server_id": source, "replica_server_id": reader,
	}, nil, "")
}

// replicaCreatedChecks expect a replica named name that took everything from a GeneralPurpose source in
// westeurope with the defaults, streaming.
func replicaCreatedChecks(name string) []statecheck.StateCheck {
	at := func(attr string, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New(attr), v)
	}
	return []statecheck.StateCheck{
		at("id", knownvalue.StringExact(spec.ServerID(name))),
		at("fqdn", knownvalue.StringExact(name+"."+spec.DNSSuffix)),
		at("replication_state", knownvalue.StringExact(spec.ReplicationStateActive)),
		at("replication_role", knownvalue.StringExact(spec.ReplicationRoleAsyncReplica)),
		at("promote_option", knownvalue.StringExact(spec.PromoteOptionPlanned)),
		at("version", knownvalue.StringExact(spec.DefaultVersion)),
		at("location", knownvalue.StringExact("westeurope")),
		at("sku_name", knownvalue.StringExact("GP_Standard_D2s_v3")),
		at("storage_mb", knownvalue.Int64Exact(spec.DefaultStorageMB)),
		at("auto_grow_enabled", knownvalue.Bool(false)),
		at("zone", knownvalue.NotNull()),
		at("delegated_subnet_id", knownvalue.Null()),
		at("host", knownvalue.StringExact("127.0.0.1")),
		at("port", knownvalue.NotNull()),
	}
}

// switchover is a test of a promotion to primary server. setup creates a server, its replica and a virtual
// endpoint whose reader is the replica; promoted (the same with replication_role = "Primary") switches over
// in place, and promotedCheck checks the cloud then; the whole configuration plans empty afterwards. Then
// either the roles are swapped back (swapBack) or the configuration is destroyed at once
// (destroyAfterSwitchover).
type switchover struct {
	setup             resource.TestStep
	promoted, prefix  string // prefix: the provider block of the configurations, if any
	replica, source   string
	promotedCheck     resource.TestCheckFunc
	swappedBack       resource.TestCheckFunc
	swappedBackConfig string // the configuration with replication_role = "AsyncReplica" again
}

func (s switchover) steps() []resource.TestStep {
	return []resource.TestStep{
		s.setup,
		s.roleChange(s.promoted, spec.ReplicationRolePrimary, s.promotedCheck),
		emptyPlan(s.promoted),
	}
}

// swapBack sets replication_role back to AsyncReplica: in place, the former primary is the primary again
// and the configuration plans empty; the test case's destroy then deletes everything in Terraform's order.
func (s switchover) swapBack() []resource.TestStep {
	return append(s.steps(), s.roleChange(s.swappedBackConfig, spec.ReplicationRoleAsyncReplica, s.swappedBack),
		emptyPlan(s.swappedBackConfig))
}

// destroyAfterSwitchover ends the test case right after the switchover: its destroy deletes the promoted
// replica first (Terraform's order), which hands the primary role back to the former primary, then the rest;
// the test case's CheckDestroy shows nothing is left.
func (s switchover) destroyAfterSwitchover() []resource.TestStep { return s.steps() }

// roleChange applies config, which changes only the replica's replication_role, to role: an in-place
// update of the replica alone.
func (s switchover) roleChange(config, role string, check resource.TestCheckFunc) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop),
			plancheck.ExpectResourceAction(endpointAddr, plancheck.ResourceActionNoop),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("replication_role"), knownvalue.StringExact(role)),
		},
		Check: check,
	}
}

// emptyPlan refreshes everything and requires that config plans no change.
func emptyPlan(config string) resource.TestStep {
	return resource.TestStep{
		Config:           config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	}
}
