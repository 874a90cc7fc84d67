package provider_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Acceptance tests of read replicas (TF_ACC=1): every replica is a real PostgreSQL container streaming from
// its primary through a physical slot, and every promotion a real one.

// accReplicationHCL is a GeneralPurpose server named source with a firewall rule admitting this machine,
// and its replica named replica with more attributes. The replica waits for the rule, which it inherits at
// creation, so the tests can connect to it too.
func accReplicationHCL(source, replica string, more map[string]string) string {
	return primaryHCL("test", source, nil) + testAccOpenFirewallHCL() +
		replicaBlockHCL("test", replica, "flexpg_server.test.id", mergeAttrs(map[string]string{
			"depends_on": "[flexpg_firewall_rule.local]",
		}, more))
}

// checkReplicaOf checks in the cloud that replica streams from source and source counts it.
func checkReplicaOf(t *testing.T, replica, source string) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		checkCloudServer(t, replica, func(s *model.Server) error {
			if s.ReplicaOf != spec.ServerID(source) || s.ReplicationState != spec.ReplicationStateActive {
				return fmt.Errorf("replica_of %q, replication_state %q; want %s, Active", s.ReplicaOf, s.ReplicationState, spec.ServerID(source))
			}
			return nil
		}),
		checkCloudServer(t, source, func(s *model.Server) error {
			if !slices.Contains(s.Replicas, spec.ServerID(replica)) || s.ReplicaCapacity != spec.MaxReplicas-len(s.Replicas) {
				return fmt.Errorf("replicas %v, replica_capacity %d; want %s among them", s.Replicas, s.ReplicaCapacity, replica)
			}
			return nil
		}),
	)
}

// commitAndAwaitReplay commits a transaction on primary and waits until replica has replayed it, which is
// when its read_replica_lag_seconds starts to count.
func commitAndAwaitReplay(t *testing.T, primary, replica string) {
	t.Helper()
	acctest.ExecOnServer(t, primary, "pgadmin", "Str0ng-Passw0rd!",
		"CREATE TABLE IF NOT EXISTS acc_probe (x int); INSERT INTO acc_probe VALUES (1)")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		m, err := acctest.Client(t).GetServerMetrics(ctx, replica)
		if err == nil && m.ReadReplicaLagSeconds != nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("replica %s did not replay the transaction: metrics %+v, %v", replica, m, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestAccReadReplica_basic creates a replica that takes everything from its source, reads its lag through
// the flexpg_server data source, imports it, and refuses to import the source as a replica.
func TestAccReadReplica_basic(t *testing.T) {
	source, replica := acctest.RandomName("rrsrc"), acctest.RandomName("rr")
	config := accReplicationHCL(source, replica, nil)
	const primaryData, replicaData = "data.flexpg_server.primary", "data.flexpg_server.replica"
	withData := config + `
data "flexpg_server" "primary" {
  name = flexpg_server.test.name
}

data "flexpg_server" "replica" {
  name = flexpg_read_replica.test.name
}
`
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            config,
			ConfigStateChecks: replicaCreatedChecks(replica),
			Check: resource.ComposeTestCheckFunc(
				checkReplicaOf(t, replica, source),
				acctest.CheckAdminLogin(replicaAddr, "pgadmin", "Str0ng-Passw0rd!", true), // the source's admin
				acctest.CheckReachesPrimary(replicaAddr, "host", "port", "pgadmin", "Str0ng-Passw0rd!", false),
			),
		},
		resource.TestStep{
			// The replica's lag counts from the last transaction it replayed: commit one on the primary.
			PreConfig: func() { commitAndAwaitReplay(t, source, replica) },
			Config:    withData,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(primaryData, tfjsonpath.New("max_physical_replication_lag_bytes"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(primaryData, tfjsonpath.New("read_replica_lag_seconds"), knownvalue.Null()),
				statecheck.ExpectKnownValue(primaryData, tfjsonpath.New("replication_state"), knownvalue.Null()),
				statecheck.ExpectKnownValue(primaryData, tfjsonpath.New("replica_capacity"), knownvalue.Int64Exact(spec.MaxReplicas-1)),
				statecheck.ExpectKnownValue(replicaData, tfjsonpath.New("read_replica_lag_seconds"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(replicaData, tfjsonpath.New("max_physical_replication_lag_bytes"), knownvalue.Null()),
				statecheck.ExpectKnownValue(replicaData, tfjsonpath.New("replication_state"), knownvalue.StringExact(spec.ReplicationStateActive)),
				statecheck.ExpectKnownValue(replicaData, tfjsonpath.New("replica_capacity"), knownvalue.Int64Exact(0)),
			},
		},
		resource.TestStep{
			ResourceName:      replicaAddr,
			ImportState:       true,
			ImportStateId:     spec.ServerID(replica),
			ImportStateVerify: true,
		},
		resource.TestStep{
			ResourceName:  replicaAddr,
			ImportState:   true,
			ImportStateId: spec.ServerID(source),
			ExpectError:   wrapTolerant(`Not a Read Replica[\s\S]*Manage it as a flexpg_server`),
		},
	))
}

// TestAccReadReplica_updateInPlaceVsReplace grows a replica's storage in place, then moves it to another
// source, which replaces it.
func TestAccReadReplica_updateInPlaceVsReplace(t *testing.T) {
	first, second, replica := acctest.RandomName("rrone"), acctest.RandomName("rrtwo"), acctest.RandomName("rrmove")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	servers := primaryHCL("test", first, nil) + primaryHCL("second", second, nil)
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            servers + replicaBlockHCL("test", replica, "flexpg_server.test.id", nil),
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(replicaAddr, tfjsonpath.New("id"))},
			Check:             checkReplicaOf(t, replica, first),
		},
		resource.TestStep{
			Config: servers + replicaBlockHCL("test", replica, "flexpg_server.test.id", map[string]string{"storage_mb": "65536"}),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(replicaAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(65536)),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("replication_state"), knownvalue.StringExact(spec.ReplicationStateActive)),
			},
			Check: checkCloudServer(t, replica, func(s *model.Server) error {
				if s.StorageMB != 65536 {
					return fmt.Errorf("storage_mb %d, want 65536", s.StorageMB)
				}
				return nil
			}),
		},
		resource.TestStep{
			Config: servers + replicaBlockHCL("test", replica, "flexpg_server.second.id", map[string]string{"storage_mb": "65536"}),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("source_server_id"), knownvalue.StringExact(spec.ServerID(second))),
			},
			Check: resource.ComposeTestCheckFunc(
				checkReplicaOf(t, replica, second),
				checkCloudServer(t, first, func(s *model.Server) error {
					if len(s.Replicas) != 0 {
						return fmt.Errorf("the first source still has replicas %v", s.Replicas)
					}
					return nil
				}),
			),
		},
	))
}

// TestAccReadReplica_refusals: the rules against the source are the cloud's, at apply, on the attribute
// they concern; a refused replica is never created.
func TestAccReadReplica_refusals(t *testing.T) {
	burstable, primary := acctest.RandomName("rrburst"), acctest.RandomName("rrbig")
	replica, cascade := acctest.RandomName("rrref"), acctest.RandomName("rrcascade")
	// A Burstable server, and a primary with four vCores and 64 GB that smaller replicas are refused for.
	servers := serverBlockHCL("burst", map[string]string{"name": fmt.Sprintf("%q", burstable)}, "") +
		primaryHCL("test", primary, map[string]string{"sku_name": `"GP_Standard_D4s_v3"`, "storage_mb": "65536"})
	replicaOf := func(source string, more map[string]string) string {
		return servers + replicaBlockHCL("test", replica, source, more)
	}
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:      replicaOf("flexpg_server.burst.id", nil),
			ExpectError: wrapTolerant(`source_server_id = flexpg_server.burst.id[\s\S]*which is Burstable`),
		},
		resource.TestStep{
			Config:      replicaOf("flexpg_server.test.id", map[string]string{"sku_name": gpSKU}),
			ExpectError: wrapTolerant(`sku_name\s+= "GP_Standard_D2s_v3"[\s\S]*is smaller than the primary's GP_Standard_D4s_v3`),
		},
		resource.TestStep{
			Config:      replicaOf("flexpg_server.test.id", map[string]string{"storage_mb": "32768"}),
			ExpectError: wrapTolerant(`storage_mb\s+= 32768[\s\S]*is smaller than the primary's 65536`),
		},
		resource.TestStep{
			Config:      replicaOf("flexpg_server.test.id", map[string]string{"auto_grow_enabled": "true"}),
			ExpectError: wrapTolerant(`auto_grow_enabled = true[\s\S]*must equal the primary's \(false\)`),
		},
		resource.TestStep{
			// No cascading: the first replica is created, a replica of it is refused.
			Config:      replicaOf("flexpg_server.test.id", nil) + replicaBlockHCL("cascade", cascade, "flexpg_read_replica.test.id", nil),
			ExpectError: wrapTolerant(`source_server_id = flexpg_read_replica.test.id[\s\S]*which is a read replica itself: cascading replication is not supported`),
		},
	))
}

// TestAccReadReplica_sixthRefused asks for six replicas of one primary at once: Terraform creates them in
// parallel, the cloud builds one at a time (the primary is Updating meanwhile, and the provider retries),
// and whichever comes sixth is refused with the limit. It is a test of its own because it runs seven
// servers on the machine.
func TestAccReadReplica_sixthRefused(t *testing.T) {
	source := acctest.RandomName("rrsix")
	config := primaryHCL("test", source, nil) + fmt.Sprintf(`
resource "flexpg_read_replica" "many" {
  count            = %d
  name             = "%s-r${count.index}"
  source_server_id = flexpg_server.test.id
}
`, spec.MaxReplicas+1, source)
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:      config,
			ExpectError: wrapTolerant(`which has 5 read replicas already, the most a server may have`),
		},
		resource.TestStep{
			// The five that were built are in state; the sixth still plans a create.
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: checkCloudServer(t, source, func(s *model.Server) error {
				if len(s.Replicas) != spec.MaxReplicas || s.ReplicaCapacity != 0 {
					return fmt.Errorf("replicas %v, replica_capacity %d; want %d and 0", s.Replicas, s.ReplicaCapacity, spec.MaxReplicas)
				}
				return nil
			}),
		},
	))
}

// TestAccReadReplica_promoteIndependent promotes a replica to an independent server: in place, writable,
// out of replication for good; afterwards the configuration plans empty and destroy deletes both servers.
func TestAccReadReplica_promoteIndependent(t *testing.T) {
	source, replica := acctest.RandomName("rrnsrc"), acctest.RandomName("rrnone")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	promoted := accReplicationHCL(source, replica, map[string]string{"replication_role": `"None"`})
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            accReplicationHCL(source, replica, nil),
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(replicaAddr, tfjsonpath.New("id"))},
		},
		resource.TestStep{
			Config: promoted,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(replicaAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(replicaAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("replication_role"), knownvalue.StringExact(spec.ReplicationRoleNone)),
				statecheck.ExpectKnownValue(replicaAddr, tfjsonpath.New("source_server_id"), knownvalue.StringExact(spec.ServerID(source))),
			},
			Check: resource.ComposeTestCheckFunc(
				checkCloudServer(t, replica, func(s *model.Server) error {
					if s.ReplicaOf != "" || s.LastPromotion == nil || s.LastPromotion.ReplicationRole != spec.ReplicationRoleNone {
						return fmt.Errorf("replica_of %q, last_promotion %+v; want none and a promotion to None", s.ReplicaOf, s.LastPromotion)
					}
					return nil
				}),
				checkCloudServer(t, source, func(s *model.Server) error {
					if len(s.Replicas) != 0 {
						return fmt.Errorf("the source still has replicas %v", s.Replicas)
					}
					return nil
				}),
				acctest.CheckReachesPrimary(replicaAddr, "host", "port", "pgadmin", "Str0ng-Passw0rd!", true),
			),
		},
		resource.TestStep{
			Config:           promoted,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config:      accReplicationHCL(source, replica, nil),
			PlanOnly:    true,
			ExpectError: wrapTolerant(`replication_role cannot change from None: promotion to an independent server is irreversible`),
		},
	))
}

// accSwitchover is a switchover (see switchover) of a server named source to its replica named replica
// through the virtual endpoint named endpoint, whose names are checked to reach the right servers.
func accSwitchover(t *testing.T, source, replica, endpoint string) switchover {
	withEndpoint := func(role string) string {
		return accReplicationHCL(source, replica, map[string]string{"replication_role": fmt.Sprintf("%q", role)}) +
			endpointBlockHCL(endpoint, "flexpg_server.test.id", "flexpg_read_replica.test.id")
	}
	const login, password = "pgadmin", "Str0ng-Passw0rd!"
	// roles checks the servers and the endpoint's names when primary is the primary and the other its replica.
	roles := func(primary, other string) resource.TestCheckFunc {
		return resource.ComposeTestCheckFunc(
			checkCloudServer(t, other, func(s *model.Server) error {
				if s.ReplicaOf != spec.ServerID(primary) {
					return fmt.Errorf("replicates from %q, want %s", s.ReplicaOf, spec.ServerID(primary))
				}
				return nil
			}),
			checkCloudServer(t, primary, func(s *model.Server) error {
				if s.ReplicaOf != "" || !slices.Equal(s.Replicas, []string{spec.ServerID(other)}) {
					return fmt.Errorf("replica_of %q, replicas %v; want a primary of %s", s.ReplicaOf, s.Replicas, other)
				}
				return nil
			}),
			checkCloudEndpoint(t, source, endpoint, spec.ServerID(primary), spec.ServerID(other)),
			acctest.CheckReachesPrimary(endpointAddr, "writer_host", "writer_port", login, password, true),
			acctest.CheckReachesPrimary(endpointAddr, "reader_host", "reader_port", login, password, false),
		)
	}
	return switchover{
		setup:             resource.TestStep{Config: withEndpoint(spec.ReplicationRoleAsyncReplica), Check: roles(source, replica)},
		promoted:          withEndpoint(spec.ReplicationRolePrimary),
		swappedBackConfig: withEndpoint(spec.ReplicationRoleAsyncReplica),
		replica:           replica, source: source,
		promotedCheck: resource.ComposeTestCheckFunc(roles(replica, source),
			checkCloudServer(t, replica, func(s *model.Server) error {
				if s.LastPromotion == nil || s.LastPromotion.ReplicationRole != spec.ReplicationRolePrimary {
					return fmt.Errorf("last_promotion %+v, want a promotion to Primary", s.LastPromotion)
				}
				return nil
			})),
		swappedBack: roles(source, replica),
	}
}

// TestAccReadReplica_promotePrimary switches over to a replica through a virtual endpoint whose reader is
// that replica: the roles swap (the writer name reaches the promoted server, the reader name the former
// primary, now its replica), and the whole configuration plans empty afterwards. Swapping the roles back
// is the same in the other direction; then the test case's destroy deletes everything.
func TestAccReadReplica_promotePrimary(t *testing.T) {
	s := accSwitchover(t, acctest.RandomName("rrpsrc"), acctest.RandomName("rrprim"), acctest.RandomName("rrep"))
	resource.Test(t, accTestCase(t, s.swapBack()...))
}

// TestAccReadReplica_destroyAfterSwitchover switches over and destroys the whole configuration at once: the
// promoted replica, which Terraform destroys first, hands the primary role back to the former primary.
func TestAccReadReplica_destroyAfterSwitchover(t *testing.T) {
	s := accSwitchover(t, acctest.RandomName("rrdsrc"), acctest.RandomName("rrdprim"), acctest.RandomName("rrdep"))
	resource.Test(t, accTestCase(t, s.destroyAfterSwitchover()...))
}
