package provider_test

import (
	"fmt"
	"testing"
	"time"

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

// Restores through Terraform against memcloud: the cloud's real restore operation over the in-memory engine
// (its PostgreSQL is fake, so it holds no data; the acceptance tests prove the data on Docker). These prove
// the provider's side: a restore that names nothing it takes from its source plans, applies, reads back
// what the source gave it, plans empty afterwards and imports; the cloud's refusals come back on their
// attributes.

const flowRestored = "fake-restored"

// flowSource is the flow server as a restore source: everything a restore takes from it differs from the
// creation defaults, so the restored server's values can only have come from the source.
var flowSource = map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "version": `"15"`, "storage_mb": "65536"}

// flowRestoreHCL is the flow server and a restore of it named flowRestored; overrides change the restore.
func flowRestoreHCL(c *memcloud.Cloud, overrides map[string]string, extra string) string {
	return flowServerHCL(c, flowSource, "") + restoreOfTestHCL(flowRestored, overrides, extra)
}

func TestFlowServer_pointInTimeRestore(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	var at, future string
	vars := restoreTimeVariables(&at)
	converted := map[string]string{"name": fmt.Sprintf("%q", flowRestored), "create_mode": "", "source_server_id": "",
		"point_in_time_restore_time_in_utc": "", "sku_name": `"GP_Standard_D2s_v3"`, "administrator_login": `"pgadmin"`,
		"administrator_password": `"Str0ng-Passw0rd!"`}
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{Config: flowServerHCL(c, flowSource, "")},
		resource.TestStep{
			// A time after now is refused by the cloud, on the attribute, and nothing is created.
			PreConfig: func() {
				awaitEarliestRestoreTime(t, c.Client(), flowServer)
				future = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			},
			Config:          flowRestoreHCL(c, nil, ""),
			ConfigVariables: restoreTimeVariables(&future),
			ExpectError:     wrapTolerant(`point_in_time_restore_time_in_utc [\d\-T:.Z]+ is in the future`),
		},
		resource.TestStep{
			PreConfig:       func() { at = awaitEarliestRestoreTime(t, c.Client(), flowServer) },
			Config:          flowRestoreHCL(c, nil, ""),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("sku_name")),
				plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("version")),
			}},
			ConfigStateChecks: append(sameAsSource(serverAddr, restoreAddr, "sku_name", "version", "storage_mb", "storage_tier",
				"administrator_login", "location"),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("sku_name"), knownvalue.StringExact("GP_Standard_D2s_v3")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("version"), knownvalue.StringExact("15")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(65536)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("create_mode"), knownvalue.StringExact(spec.CreateModePointInTimeRestore)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("source_server_id"), knownvalue.StringExact(spec.ServerID(flowServer))),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("administrator_password"), knownvalue.Null()),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("high_availability"), knownvalue.ListExact([]knownvalue.Check{})),
			),
			Check: flowRecord(c, flowRestored, func(s store.Server) error {
				if s.Restore == nil || s.Restore.Source != flowServer || !s.Restore.Done || s.Phase != store.PhaseReady {
					return fmt.Errorf("the cloud's record of the restore: %+v, phase %s", s.Restore, s.Phase)
				}
				return nil
			}),
		},
		resource.TestStep{
			// Read back, the restored server is what the configuration says: no diff, so no replacement.
			Config:          flowRestoreHCL(c, nil, ""),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		},
		resource.TestStep{
			// The cloud reports how the server was made, so nothing but a secret is unreadable, and the
			// restore has none (its password is the source's, in the data).
			ResourceName:      restoreAddr,
			ImportState:       true,
			ImportStateId:     spec.ServerID(flowRestored),
			ImportStateVerify: true,
			Config:            flowRestoreHCL(c, nil, ""),
			ConfigVariables:   vars,
		},
		resource.TestStep{
			// HA is refused at the restore, and added in place afterwards: the plan updates the restored
			// server (its create_mode still reads PointInTimeRestore).
			Config:             flowRestoreHCL(c, nil, "high_availability {\n    mode = \"SameZone\"\n  }"),
			ConfigVariables:    vars,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
			}},
		},
		resource.TestStep{
			// A different restore time is another server.
			Config:             flowRestoreHCL(c, map[string]string{"point_in_time_restore_time_in_utc": `"2026-01-01T00:00:00Z"`}, ""),
			PlanOnly:           true,
			ConfigVariables:    vars,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
		},
		resource.TestStep{
			// Without the restore arguments the restored server is managed like any other (a Default
			// configuration, which names its SKU, admin and password): no replacement; the password is sent.
			Config: flowServerHCL(c, flowSource, "") + restoreHCL(converted, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("create_mode"), knownvalue.StringExact(spec.CreateModePointInTimeRestore)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("source_server_id"), knownvalue.StringExact(spec.ServerID(flowServer))),
			},
			Check: checkCloud(func() error { return c.Postgres().CheckPasswords(flowRestored, "Str0ng-Passw0rd!") }),
		},
		resource.TestStep{
			Config:           flowServerHCL(c, flowSource, "") + restoreHCL(converted, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	))
}

// sameAsSource checks that the restored server's attrs equal the source's.
func sameAsSource(source, restored string, attrs ...string) []statecheck.StateCheck {
	out := make([]statecheck.StateCheck, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, statecheck.CompareValuePairs(source, tfjsonpath.New(a), restored, tfjsonpath.New(a), compare.ValuesSame()))
	}
	return out
}

// TestFlowServer_geoRestore restores a server with geo-redundant backups into its region's pair, once the
// cloud's clock has passed spec.GeoCopyDelay so the copy there has a backup; a geo-restore anywhere else is
// refused by the cloud on location.
func TestFlowServer_geoRestore(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	source := mergeAttrs(flowSource, map[string]string{"geo_redundant_backup_enabled": "true"})
	pair, _ := spec.PairedRegion("westeurope")
	config := func(location string) string {
		return flowServerHCL(c, source, "") + restoreOfTestHCL(flowRestored, map[string]string{
			"location": fmt.Sprintf("%q", location), "create_mode": `"GeoRestore"`,
		}, "")
	}
	var at string
	vars := restoreTimeVariables(&at)
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{Config: flowServerHCL(c, source, "")},
		resource.TestStep{
			PreConfig: func() {
				at = awaitEarliestRestoreTime(t, c.Client(), flowServer)
				if _, err := c.Client().AdvanceClock(flowContext(t), spec.GeoCopyDelay+time.Minute); err != nil {
					t.Fatal(err)
				}
			},
			Config:          config("westeurope"),
			ConfigVariables: vars,
			ExpectError:     wrapTolerant(`location must be ` + pair + ` for a geo-restore of server ` + flowServer),
		},
		resource.TestStep{
			Config:          config(pair),
			ConfigVariables: vars,
			ConfigStateChecks: append(sameAsSource(serverAddr, restoreAddr, "sku_name", "version", "storage_mb", "administrator_login"),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("location"), knownvalue.StringExact(pair)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("create_mode"), knownvalue.StringExact(spec.CreateModeGeoRestore)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("geo_redundant_backup_enabled"), knownvalue.Bool(false)),
			),
			Check: flowRecord(c, flowRestored, func(s store.Server) error {
				if s.Restore == nil || !s.Restore.Geo || s.Spec.Location != pair {
					return fmt.Errorf("the cloud's record of the geo-restore: %+v in %s", s.Restore, s.Spec.Location)
				}
				return nil
			}),
		},
		resource.TestStep{
			ResourceName:      restoreAddr,
			ImportState:       true,
			ImportStateId:     spec.ServerID(flowRestored),
			ImportStateVerify: true,
			Config:            config(pair),
			ConfigVariables:   vars,
		},
	))
}

// TestFlowServer_restorePrivateSource restores a private-access server without naming a network: a
// point-in-time restore stays in its source's subnet and DNS zone, which the plan leaves to the cloud, so
// the restored server reads back private and plans empty.
func TestFlowServer_restorePrivateSource(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	net := defaultPrivateNet("vnet1", "db", "corp.postgres.flexpg.internal", "corp-vnet1")
	source := flowServerHCL(c, privateServerAttrs(), privateServerDependsOn) + net.hcl()
	config := source + restoreOfTestHCL(flowRestored, nil, "")
	var at string
	vars := restoreTimeVariables(&at)
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{Config: source},
		resource.TestStep{
			PreConfig:       func() { at = awaitEarliestRestoreTime(t, c.Client(), flowServer) },
			Config:          config,
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("delegated_subnet_id")),
				plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("public_network_access_enabled")),
			}},
			ConfigStateChecks: append(sameAsSource(serverAddr, restoreAddr, "delegated_subnet_id", "private_dns_zone_id"),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.StringExact(spec.SubnetID("vnet1", "db"))),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("host"), knownvalue.Null()),
			),
		},
		resource.TestStep{
			Config:           config,
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	))
}
