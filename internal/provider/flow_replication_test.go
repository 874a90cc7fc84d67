package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The flows of flexpg_read_replica and flexpg_virtual_endpoint through Terraform against memcloud (see
// flow_cloud_test.go).

const flowReplica = "fake-replica"

// flowReplicationHCL is the flow server (GeneralPurpose), its replica with more attributes, and extra.
func flowReplicationHCL(c *memcloud.Cloud, more map[string]string, extra string) string {
	return flowServerHCL(c, map[string]string{"sku_name": gpSKU}, "") +
		replicaBlockHCL("test", flowReplica, "flexpg_server.test.id", more) + extra
}

func TestFlowReadReplica_lifecycle(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config:            flowReplicationHCL(c, nil, ""),
			ConfigStateChecks: append(replicaCreatedChecks(flowReplica), sameID.AddStateValue(replicaAddr, tfjsonpath.New("id"))),
			Check: flowRecord(c, flowReplica, func(s store.Server) error {
				if !s.IsReplica() || s.Replication.Upstream != flowServer || s.Spec.SourceServerID != spec.ServerID(flowServer) {
					return fmt.Errorf("replica record %+v, replication %+v", s.Spec, s.Replication)
				}
				return nil
			}),
		},
		resource.TestStep{
			ResourceName:      replicaAddr,
			ImportState:       true,
			ImportStateId:     spec.ServerID(flowReplica),
			ImportStateVerify: true,
		},
		resource.TestStep{
			// The source is a server, not a replica: importing it as one is refused, naming the way.
			ResourceName:  replicaAddr,
			ImportState:   true,
			ImportStateId: spec.ServerID(flowServer),
			ExpectError:   wrapTolerant(`Not a Read Replica[\s\S]*Manage it as a flexpg_server`),
		},
		resource.TestStep{
			// Storage grows in place; the replica keeps its ID.
			Config: flowReplicationHCL(c, map[string]string{"storage_mb": "65536"}, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(replicaAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(65536)),
			},
			Check: flowRecord(c, flowReplica, func(s store.Server) error {
				if s.Spec.StorageMB != 65536 {
					return fmt.Errorf("the cloud has %d MB", s.Spec.StorageMB)
				}
				return nil
			}),
		},
		resource.TestStep{
			Config:      flowReplicationHCL(c, map[string]string{"storage_mb": "32768"}, ""),
			PlanOnly:    true,
			ExpectError: wrapTolerant(`storage_mb cannot decrease: the server has 65536 MB`),
		},
		resource.TestStep{
			// Another zone replaces the replica: the cloud does not move one.
			Config:   flowReplicationHCL(c, map[string]string{"storage_mb": "65536", "zone": `"3"`}, ""),
			PlanOnly: true, ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
		},
		resource.TestStep{
			// Promoted to an independent server: in place, and for good.
			Config: flowReplicationHCL(c, map[string]string{"storage_mb": "65536", "replication_role": `"None"`}, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(replicaAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("replication_role"), knownvalue.StringExact(spec.ReplicationRoleNone)),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("source_server_id"), knownvalue.StringExact(spec.ServerID(flowServer))),
			},
			Check: flowRecord(c, flowReplica, func(s store.Server) error {
				if s.IsReplica() || s.Spec.ReplicationRole != spec.ReplicationRoleNone {
					return fmt.Errorf("after the promotion: role %q, replication %+v", s.Spec.ReplicationRole, s.Replication)
				}
				return nil
			}),
		},
		resource.TestStep{
			Config:      flowReplicationHCL(c, map[string]string{"storage_mb": "65536"}, ""),
			PlanOnly:    true,
			ExpectError: wrapTolerant(`replication_role cannot change from None: promotion to an independent server is irreversible`),
		},
	))
}

// TestFlowReadReplica_refusedAtApply: the rules against the source are the cloud's, reported on the
// attribute they concern, and a refused replica is not in state.
func TestFlowReadReplica_refusedAtApply(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	burstable := providerHCL(c) + testAccServerHCL(flowServer, nil, "")
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config:      burstable + replicaBlockHCL("test", flowReplica, "flexpg_server.test.id", nil),
			ExpectError: wrapTolerant(`source_server_id = flexpg_server.test.id[\s\S]*which is Burstable`),
		},
		resource.TestStep{
			Config:      flowReplicationHCL(c, map[string]string{"auto_grow_enabled": "true"}, ""),
			ExpectError: wrapTolerant(`auto_grow_enabled = true[\s\S]*must equal the primary's \(false\)`),
		},
	))
}

// TestFlowVirtualEndpoint: an endpoint over the server and its replica, imported, its reader moved in
// place to the primary and back.
func TestFlowVirtualEndpoint(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	const name = "fake-endpoint"
	config := func(reader string) string {
		return flowReplicationHCL(c, nil, endpointBlockHCL(name, "flexpg_server.test.id", reader))
	}
	at := func(attr string, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(endpointAddr, tfjsonpath.New(attr), v)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	samePort := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: config("flexpg_read_replica.test.id"),
			ConfigStateChecks: []statecheck.StateCheck{
				at("id", knownvalue.StringExact(spec.VirtualEndpointID(flowServer, name))),
				at("writer_fqdn", knownvalue.StringExact(spec.WriterFQDN(name))),
				at("reader_fqdn", knownvalue.StringExact(spec.ReaderFQDN(name))),
				at("writer_host", knownvalue.StringExact("127.0.0.1")),
				at("reader_host", knownvalue.StringExact("127.0.0.1")),
				at("writer_port", knownvalue.NotNull()),
				at("type", knownvalue.StringExact(spec.VirtualEndpointTypeReadWrite)),
				at("replica_server_id", knownvalue.StringExact(spec.ServerID(flowReplica))),
				sameID.AddStateValue(endpointAddr, tfjsonpath.New("id")),
				samePort.AddStateValue(endpointAddr, tfjsonpath.New("reader_port")),
			},
		},
		resource.TestStep{
			ResourceName:      endpointAddr,
			ImportState:       true,
			ImportStateId:     spec.VirtualEndpointID(flowServer, name),
			ImportStateVerify: true,
		},
		resource.TestStep{
			Config: config("flexpg_server.test.id"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(endpointAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				at("replica_server_id", knownvalue.StringExact(spec.ServerID(flowServer))),
				sameID.AddStateValue(endpointAddr, tfjsonpath.New("id")),
				samePort.AddStateValue(endpointAddr, tfjsonpath.New("reader_port")),
			},
		},
	))
}

// TestFlowReadReplica_destroyAfterSwitchover switches over to the replica and destroys the configuration at
// once: the promoted replica hands the primary role back as it goes (see switchover).
func TestFlowReadReplica_destroyAfterSwitchover(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	endpoint := endpointBlockHCL("fake-endpoint", "flexpg_server.test.id", "flexpg_read_replica.test.id")
	resource.UnitTest(t, flowTestCase(c, switchover{
		setup:    resource.TestStep{Config: flowReplicationHCL(c, nil, endpoint)},
		promoted: flowReplicationHCL(c, map[string]string{"replication_role": `"Primary"`}, endpoint),
		prefix:   providerHCL(c), replica: flowReplica, source: flowServer,
		promotedCheck: flowServerRecord(c, func(s store.Server) error {
			if !s.IsReplica() || s.Replication.Upstream != flowReplica {
				return fmt.Errorf("the former primary streams from %+v, want %s", s.Replication, flowReplica)
			}
			return nil
		}),
	}.destroyAfterSwitchover()...))
}

// TestFlowReadReplica_private: the replica of a private server in its region takes the server's subnet and
// DNS zone when it names neither, has no host endpoint, and plans empty afterwards, also when it names them.
func TestFlowReadReplica_private(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	net := defaultPrivateNet("vnet1", "db", "corp.postgres.flexpg.internal", "corp-vnet1")
	subnetID, zoneID := spec.SubnetID("vnet1", "db"), spec.PrivateDNSZoneID("corp.postgres.flexpg.internal")
	private := flowServerHCL(c, mergeAttrs(privateServerAttrs(), map[string]string{"sku_name": gpSKU}), privateServerDependsOn) + net.hcl()
	at := func(attr string, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New(attr), v)
	}
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: private + replicaBlockHCL("test", flowReplica, "flexpg_server.test.id", nil),
			ConfigStateChecks: []statecheck.StateCheck{
				at("delegated_subnet_id", knownvalue.StringExact(subnetID)),
				at("private_dns_zone_id", knownvalue.StringExact(zoneID)),
				at("host", knownvalue.Null()),
				at("port", knownvalue.Null()),
				at("fqdn", knownvalue.StringExact(flowReplica+"."+spec.DNSSuffix)),
			},
		},
		resource.TestStep{
			Config: private + replicaBlockHCL("test", flowReplica, "flexpg_server.test.id", map[string]string{
				"delegated_subnet_id": "flexpg_subnet.test.id",
				"private_dns_zone_id": "flexpg_private_dns_zone.test.id",
			}),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	))
}
