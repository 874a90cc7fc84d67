package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Plan-time rules of flexpg_read_replica and flexpg_virtual_endpoint, with no cloud at all (see
// plan_validation_test.go): each bad configuration fails at plan time on the attribute that breaks the rule.

const (
	replicaAddr  = "flexpg_read_replica.test"
	endpointAddr = "flexpg_virtual_endpoint.test"
)

func TestPlanTimeReplicationValidation(t *testing.T) {
	runPlanErrorCases(t, []planErrorCase{
		{"bad replica name", replicaHCL(map[string]string{"name": `"Replica_1"`}),
			`name\s+= "Replica_1"[\s\S]*may contain only lowercase letters`},
		{"source not a server ID", replicaHCL(map[string]string{"source_server_id": `"plan-test"`}),
			`source_server_id = "plan-test"[\s\S]*must be a server ID of the form /flexibleServers/<name>`},
		{"Burstable replica", replicaHCL(map[string]string{"sku_name": `"B_Standard_B2s"`}),
			`sku_name\s+= "B_Standard_B2s"[\s\S]*cannot be a Burstable SKU`},
		{"storage not a size", replicaHCL(map[string]string{"storage_mb": "40000"}),
			`storage_mb\s+= 40000[\s\S]*storage_mb must be one of 32768, 65536`},
		{"unknown region", replicaHCL(map[string]string{"location": `"moon"`}),
			`location\s+= "moon"[\s\S]*must be the short name of a catalog region`},
		{"zone not in the region", replicaHCL(map[string]string{"location": `"westeurope"`, "zone": `"4"`}),
			`zone\s+= "4"[\s\S]*must be one of the availability zones of region westeurope`},
		{"unknown role", replicaHCL(map[string]string{"replication_role": `"Standby"`}),
			`replication_role = "Standby"[\s\S]*replication_role must be one of AsyncReplica, Primary, None`},
		{"unknown promote option", replicaHCL(map[string]string{"promote_option": `"Planned"`}),
			`promote_option\s+= "Planned"[\s\S]*promote_option must be one of planned, forced`},
		{"promoted at create", replicaHCL(map[string]string{"replication_role": `"Primary"`}),
			`replication_role = "Primary"[\s\S]*must be AsyncReplica when the replica is created`},
		{"subnet without zone", replicaHCL(map[string]string{"delegated_subnet_id": `"/virtualNetworks/v1/subnets/db"`}),
			`private_dns_zone_id is required when delegated_subnet_id is set`},
		{"zone of the wrong suffix", replicaHCL(map[string]string{"delegated_subnet_id": `"/virtualNetworks/v1/subnets/db"`,
			"private_dns_zone_id": `"/privateDnsZones/db.example.com"`}),
			`private_dns_zone_id = "/privateDnsZones/db.example.com"[\s\S]*whose name ends in .postgres.flexpg.internal`},
		{"endpoint name", endpointHCL(map[string]string{"name": `"-ep"`}), `name\s+= "-ep"[\s\S]*must start and end with a lowercase letter or digit`},
		{"endpoint type", endpointHCL(map[string]string{"type": `"ReadOnly"`}),
			`type\s+= "ReadOnly"[\s\S]*type must be one of ReadWrite`},
		{"endpoint reader not a server ID", endpointHCL(map[string]string{"replica_server_id": `"replica-1"`}),
			`replica_server_id = "replica-1"[\s\S]*must be a server ID`},
	})
}

// TestPlanReplication plans a primary, a replica that leaves everything to its source, and a virtual
// endpoint over the two, with no cloud: the defaults are planned, what the replica takes from its source is
// left to the cloud, and no configuration error is reported for values known only at apply.
func TestPlanReplication(t *testing.T) {
	config := serverHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`}, "") + `
resource "flexpg_read_replica" "test" {
  name             = "plan-test-replica"
  source_server_id = flexpg_server.test.id
}

resource "flexpg_virtual_endpoint" "test" {
  name              = "plan-test-ep"
  source_server_id  = flexpg_server.test.id
  replica_server_id = flexpg_read_replica.test.id
}
`
	expectPlan(t, config,
		plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction(endpointAddr, plancheck.ResourceActionCreate),
		plancheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("replication_role"), knownvalue.StringExact(spec.ReplicationRoleAsyncReplica)),
		plancheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("promote_option"), knownvalue.StringExact(spec.PromoteOptionPlanned)),
		plancheck.ExpectUnknownValue(replicaAddr, tfjsonpath.New("sku_name")),
		plancheck.ExpectUnknownValue(replicaAddr, tfjsonpath.New("storage_mb")),
		plancheck.ExpectUnknownValue(replicaAddr, tfjsonpath.New("auto_grow_enabled")),
		plancheck.ExpectUnknownValue(replicaAddr, tfjsonpath.New("location")),
		plancheck.ExpectUnknownValue(replicaAddr, tfjsonpath.New("version")),
		plancheck.ExpectUnknownValue(replicaAddr, tfjsonpath.New("replication_state")),
		plancheck.ExpectKnownValue(endpointAddr, tfjsonpath.New("type"), knownvalue.StringExact(spec.VirtualEndpointTypeReadWrite)),
		plancheck.ExpectUnknownValue(endpointAddr, tfjsonpath.New("writer_fqdn")),
	)
}

// replicaHCL renders a replica of /flexibleServers/plan-test; overrides replace (or, with "", remove)
// attributes.
func replicaHCL(overrides map[string]string) string {
	return blockHCL(`resource "flexpg_read_replica" "test"`, map[string]string{
		"name":             `"plan-test-replica"`,
		"source_server_id": `"/flexibleServers/plan-test"`,
	}, overrides, "")
}

// endpointHCL renders a virtual endpoint of /flexibleServers/plan-test over its replica.
func endpointHCL(overrides map[string]string) string {
	return blockHCL(`resource "flexpg_virtual_endpoint" "test"`, map[string]string{
		"name":              `"plan-test-ep"`,
		"source_server_id":  `"/flexibleServers/plan-test"`,
		"replica_server_id": `"/flexibleServers/plan-test-replica"`,
	}, overrides, "")
}

// TestPlanTimeReplicaAttributePaths validates flexpg_read_replica configurations through the provider's
// protocol, as Terraform does, and checks that each refusal sits on the attribute that breaks the rule.
func TestPlanTimeReplicaAttributePaths(t *testing.T) {
	v := newProtocolValidator(t)
	tests := []struct {
		name    string
		set     map[string]tftypes.Value
		want    string
		message string
	}{
		{"Burstable", map[string]tftypes.Value{"sku_name": str("B_Standard_B1ms")}, "sku_name", "cannot be a Burstable SKU"},
		{"role", map[string]tftypes.Value{"replication_role": str("primary")}, "replication_role", "must be one of AsyncReplica"},
		{"option", map[string]tftypes.Value{"promote_option": str("now")}, "promote_option", "must be one of planned, forced"},
		{"zone without subnet", map[string]tftypes.Value{"private_dns_zone_id": str("/privateDnsZones/a.postgres.flexpg.internal")},
			"delegated_subnet_id", "is required when private_dns_zone_id is set"},
		{"subnet ID", map[string]tftypes.Value{"delegated_subnet_id": str("db"), "private_dns_zone_id": str("/privateDnsZones/a.postgres.flexpg.internal")},
			"delegated_subnet_id", "must be a subnet ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.set["name"], tt.set["source_server_id"] = str("plan-test-replica"), str("/flexibleServers/plan-test")
			diags := v.validate(t, "flexpg_read_replica", tt.set)
			expectDiagnosticAt(t, diags, tftypes.NewAttributePath().WithAttributeName(tt.want), tt.message)
		})
	}
}
