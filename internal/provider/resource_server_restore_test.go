package provider_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Acceptance tests of restores (TF_ACC=1): real PostgreSQL, real backups and WAL archive. A restore's data
// is checked with a client, as the source's admin, whose password the restored data keeps.

const (
	accLogin    = "pgadmin"
	accPassword = "Str0ng-Passw0rd!" // serverHCL's
	// ledgerRows lists the rows of the tests' table, in order.
	ledgerRows = "select string_agg(id::text, ',' order by id) from ledger"
)

// testAccRestoreHCL is the source server flexpg_server.test (named source, with a firewall rule admitting
// this machine) and flexpg_server.restored, a restore of it named name whose restore time is the variable
// restoreTimeVariable; overrides change the restore, sourceOverrides the source.
func testAccRestoreHCL(source, name string, sourceOverrides, overrides map[string]string, extra string) string {
	return testAccServerHCL(source, sourceOverrides, "") + testAccOpenFirewallHCL() + restoreOfTestHCL(name, overrides, extra)
}

// writeLedger commits rows 1 and 2 on the server, takes the time between the two commits of rows 2 and 3 on
// the cloud's clock (the clock restore targets are on; read between the commits, it lies after the one and
// before the other), commits row 3, and returns the time.
func writeLedger(t *testing.T, server string) string {
	t.Helper()
	acctest.ExecOnServer(t, server, accLogin, accPassword, "create table ledger(id int primary key, at timestamptz default clock_timestamp())")
	acctest.ExecOnServer(t, server, accLogin, accPassword, "insert into ledger(id) values (1)")
	acctest.ExecOnServer(t, server, accLogin, accPassword, "insert into ledger(id) values (2)")
	at, err := acctest.Client(t).Clock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	acctest.ExecOnServer(t, server, accLogin, accPassword, "insert into ledger(id) values (3)")
	return at.UTC().Format(time.RFC3339Nano)
}

// checkFirstBackup waits for the server's first full backup, so its earliest_restore_time is set and stays.
func checkFirstBackup(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := earliestRestoreTime(acctest.Client(t), name)
		return err
	}
}

func TestAccServer_pointInTimeRestore(t *testing.T) {
	source, restored := acctest.RandomName("pitr-src"), acctest.RandomName("pitr")
	gp := map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "version": `"15"`}
	var at, beforeEarliest string
	hcl := func(overrides map[string]string, extra string) string {
		return testAccRestoreHCL(source, restored, gp, overrides, extra)
	}
	vars := restoreTimeVariables(&at)
	resource.Test(t, accTestCase(t,
		resource.TestStep{Config: testAccServerHCL(source, gp, "") + testAccOpenFirewallHCL()},
		resource.TestStep{
			// The configuration alone breaks a rule: refused at plan time, on the attribute.
			Config:          hcl(map[string]string{"source_server_id": ""}, ""),
			ConfigVariables: config.Variables{restoreTimeVariable: config.StringVariable("2026-12-01T10:00:00Z")},
			PlanOnly:        true,
			ExpectError:     wrapTolerant(`source_server_id is required when create_mode is PointInTimeRestore`),
		},
		resource.TestStep{
			// Only the cloud knows the source's restore window: refused at apply time, naming the attribute.
			PreConfig: func() {
				earliest, err := time.Parse(time.RFC3339Nano, awaitEarliestRestoreTime(t, acctest.Client(t), source))
				if err != nil {
					t.Fatal(err)
				}
				beforeEarliest = earliest.Add(-time.Millisecond).Format(time.RFC3339Nano)
			},
			Config:          hcl(nil, ""),
			ConfigVariables: restoreTimeVariables(&beforeEarliest),
			ExpectError:     wrapTolerant(`point_in_time_restore_time_in_utc \S+ is before the earliest restore time`),
		},
		resource.TestStep{
			PreConfig:       func() { at = writeLedger(t, source) },
			Config:          hcl(nil, ""),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("sku_name")),
			}},
			ConfigStateChecks: append(sameAsSource(serverAddr, restoreAddr, "sku_name", "version", "administrator_login", "storage_mb"),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("sku_name"), knownvalue.StringExact("GP_Standard_D2s_v3")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("version"), knownvalue.StringExact("15")),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("administrator_login"), knownvalue.StringExact(accLogin)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("create_mode"), knownvalue.StringExact(spec.CreateModePointInTimeRestore)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("point_in_time_restore_time_in_utc"), equalsLater(func() string { return at })),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("ha_state"), knownvalue.StringExact(spec.HAStateNotEnabled)),
			),
			Check: resource.ComposeTestCheckFunc(
				// Exactly what was committed by the restore time: rows 1 and 2, not 3; the source keeps all three.
				acctest.CheckQueryResult(restored, accLogin, accPassword, ledgerRows, "1,2"),
				acctest.CheckQueryResult(source, accLogin, accPassword, ledgerRows, "1,2,3"),
				checkFirstBackup(t, restored),
			),
		},
		resource.TestStep{
			// Read back, the restored server is what the configuration says.
			Config:           hcl(nil, ""),
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			// Nothing needs ignoring: the restore sent no password, and the cloud reports how it was made.
			ResourceName:      restoreAddr,
			ImportState:       true,
			ImportStateId:     spec.ServerID(restored),
			ImportStateVerify: true,
			Config:            hcl(nil, ""),
			ConfigVariables:   vars,
		},
		resource.TestStep{
			// A restore is created standalone; HA is added in place afterwards, and the data stays.
			Config:          hcl(nil, "high_availability {\n    mode = \"SameZone\"\n  }"),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("ha_state"), knownvalue.StringExact(spec.HAStateHealthy)),
			},
			Check: acctest.CheckQueryResult(restored, accLogin, accPassword, ledgerRows, "1,2"),
		},
		resource.TestStep{
			// Without the restore arguments (a Default configuration naming SKU, admin and password) the
			// restored server stays: an update, which sends the password.
			Config: testAccServerHCL(source, gp, "") + testAccOpenFirewallHCL() + restoreHCL(map[string]string{
				"name": fmt.Sprintf("%q", restored), "create_mode": "", "source_server_id": "", "point_in_time_restore_time_in_utc": "",
				"sku_name": `"GP_Standard_D2s_v3"`, "administrator_login": fmt.Sprintf("%q", accLogin),
				"administrator_password": fmt.Sprintf("%q", accPassword),
			}, "high_availability {\n    mode = \"SameZone\"\n  }"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionUpdate),
			}},
			Check: acctest.CheckQueryResult(restored, accLogin, accPassword, ledgerRows, "1,2"),
		},
	))
}

// archiveWait bounds the wait for a WAL segment to reach the archive: archive_timeout (spec.ArchiveTimeout)
// switches a segment with commits in it at the latest after a minute.
const archiveWait = spec.ArchiveTimeout + time.Minute

// awaitArchived waits until the WAL segment that holds the server's latest commit is archived, and then
// until the machine's clock is past the second it was archived in: the geo copy takes files by their
// modification time to the second.
func awaitArchived(t *testing.T, server string) {
	t.Helper()
	segment, err := acctest.QueryOnServer(server, accLogin, accPassword, "select pg_walfile_name(pg_current_wal_lsn())")
	if err != nil {
		t.Fatal(err)
	}
	var archivedAt time.Time
	if _, err := cloudtest.Eventually(context.Background(), archiveWait, func() error {
		last, err := acctest.QueryOnServer(server, accLogin, accPassword,
			"select last_archived_wal || ' ' || to_char(last_archived_time at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from pg_stat_archiver")
		if err != nil {
			return err
		}
		var wal, when string
		if _, err := fmt.Sscan(last, &wal, &when); err != nil || wal < segment {
			return fmt.Errorf("segment %s not archived yet (last archived: %q)", segment, last)
		}
		archivedAt, err = time.Parse(time.RFC3339Nano, when)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	next := archivedAt.Truncate(time.Second).Add(time.Second)
	if _, err := cloudtest.Eventually(context.Background(), 2*time.Second, func() error {
		if now := time.Now(); now.Before(next) {
			return fmt.Errorf("the machine's clock is at %s, before %s", now.Format(time.RFC3339Nano), next.Format(time.RFC3339Nano))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestAccServer_geoRestore restores a server with geo-redundant backups into its region's pair, from the
// copy there: the cloud's clock is advanced past spec.GeoCopyDelay, which runs the geo copy (the clock's
// advance runs the backup housekeeping), and the restore holds exactly the rows committed by its time.
func TestAccServer_geoRestore(t *testing.T) {
	source, restored := acctest.RandomName("geo-src"), acctest.RandomName("geo")
	pair, _ := spec.PairedRegion("westeurope")
	geo := map[string]string{"geo_redundant_backup_enabled": "true"}
	var at string
	vars := restoreTimeVariables(&at)
	config := testAccRestoreHCL(source, restored, geo, map[string]string{
		"create_mode": `"GeoRestore"`, "location": fmt.Sprintf("%q", pair),
	}, "") + backupsHCL("test", "flexpg_server.test.id")
	resource.Test(t, accTestCase(t,
		resource.TestStep{Config: testAccServerHCL(source, geo, "") + testAccOpenFirewallHCL()},
		resource.TestStep{
			PreConfig: func() {
				awaitEarliestRestoreTime(t, acctest.Client(t), source)
				at = writeLedger(t, source)
				awaitArchived(t, source)
				if _, err := acctest.Client(t).AdvanceClock(context.Background(), spec.GeoCopyDelay+time.Minute); err != nil {
					t.Fatal(err)
				}
			},
			Config:          config,
			ConfigVariables: vars,
			ConfigStateChecks: append(sameAsSource(serverAddr, restoreAddr, "sku_name", "version", "administrator_login"),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("location"), knownvalue.StringExact(pair)),
				statecheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("create_mode"), knownvalue.StringExact(spec.CreateModeGeoRestore)),
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("geo_region"), knownvalue.StringExact(pair)),
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("backups").AtSliceIndex(0).AtMapKey("geo_copied"), knownvalue.Bool(true)),
			),
			Check: resource.ComposeTestCheckFunc(
				acctest.CheckQueryResult(restored, accLogin, accPassword, ledgerRows, "1,2"),
				checkFirstBackup(t, restored),
			),
		},
		resource.TestStep{
			Config:           config,
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	))
}
