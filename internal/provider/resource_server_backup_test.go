package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
)

// Acceptance tests of a server's backups (TF_ACC=1): its retention, and the flexpg_server_backups data
// source over real full backups.

// TestAccServer_backupRetentionInPlace changes backup_retention_days 7 → 14 in place: an update, not a
// replacement, which the cloud and a data source read after it report. earliest_restore_time is read anew
// after the update (no inconsistent result) and, for a server younger than either retention, stays the
// completion of its first full backup.
func TestAccServer_backupRetentionInPlace(t *testing.T) {
	name := acctest.RandomName("retention")
	// depends_on defers the read to after the server's change, so it sees the new retention.
	dataHCL := "\ndata \"flexpg_server\" \"test\" {\n  name       = flexpg_server.test.name\n  depends_on = [flexpg_server.test]\n}\n"
	sameEarliest := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: testAccServerHCL(name, nil, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("backup_retention_days"), knownvalue.Int64Exact(7)),
			},
			Check: checkFirstBackup(t, name),
		},
		resource.TestStep{
			// Refreshed, the state has the first backup's earliest restore time.
			Config:           testAccServerHCL(name, nil, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("earliest_restore_time"), knownvalue.NotNull()),
				sameEarliest.AddStateValue(serverAddr, tfjsonpath.New("earliest_restore_time")),
			},
		},
		resource.TestStep{
			Config: testAccServerHCL(name, map[string]string{"backup_retention_days": "14"}, "") + dataHCL,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(serverAddr, tfjsonpath.New("earliest_restore_time")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("backup_retention_days"), knownvalue.Int64Exact(14)),
				statecheck.ExpectKnownValue("data.flexpg_server.test", tfjsonpath.New("backup_retention_days"), knownvalue.Int64Exact(14)),
				sameEarliest.AddStateValue(serverAddr, tfjsonpath.New("earliest_restore_time")),
			},
			Check: func(*terraform.State) error {
				s, err := acctest.Client(t).GetServer(context.Background(), name)
				if err != nil {
					return err
				}
				if s.BackupRetentionDays != 14 {
					return fmt.Errorf("the cloud reports backup_retention_days %d, want 14", s.BackupRetentionDays)
				}
				return nil
			},
		},
	))
}

// TestAccServerBackupsDataSource_basic reads the backups of a new server: its first full backup (taken
// right after creation, on timeline 1), whose completion starts the restore window, and no geo region.
func TestAccServerBackupsDataSource_basic(t *testing.T) {
	name := acctest.RandomName("backups")
	var earliest string
	first := func(attr string) tfjsonpath.Path { return tfjsonpath.New("backups").AtSliceIndex(0).AtMapKey(attr) }
	resource.Test(t, accTestCase(t,
		resource.TestStep{Config: testAccServerHCL(name, nil, "")},
		resource.TestStep{
			PreConfig: func() { earliest = awaitEarliestRestoreTime(t, acctest.Client(t), name) },
			Config:    testAccServerHCL(name, nil, "") + backupsHCL("test", "flexpg_server.test.id"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("server_id"), knownvalue.StringExact("/flexibleServers/"+name)),
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("earliest_restore_time"), equalsLater(func() string { return earliest })),
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("geo_region"), knownvalue.Null()),
				statecheck.ExpectKnownValue(backupsAddr, first("backup_type"), knownvalue.StringExact("Full")),
				statecheck.ExpectKnownValue(backupsAddr, first("source"), knownvalue.StringExact("Automatic")),
				statecheck.ExpectKnownValue(backupsAddr, first("timeline"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(backupsAddr, first("geo_copied"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(backupsAddr, first("size_bytes"), knownvalue.Int64Func(func(v int64) error {
					if v <= 0 {
						return fmt.Errorf("a full backup of %d bytes", v)
					}
					return nil
				})),
				statecheck.CompareValuePairs(backupsAddr, first("completed_time"), backupsAddr, tfjsonpath.New("earliest_restore_time"), compare.ValuesSame()),
				statecheck.CompareValuePairs(backupsAddr, tfjsonpath.New("earliest_restore_time"), serverAddr, tfjsonpath.New("earliest_restore_time"), compare.ValuesSame()),
			},
		},
	))
}
