package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const backupsAddr = "data.flexpg_server_backups.test"

// backupsHCL reads the backups of the server serverID (an expression) as data.flexpg_server_backups.<label>.
func backupsHCL(label, serverID string) string {
	return fmt.Sprintf("\ndata \"flexpg_server_backups\" %q {\n  server_id = %s\n}\n", label, serverID)
}

// equalsLater checks a string against a value the test learns while it runs.
func equalsLater(want func() string) knownvalue.Check {
	return knownvalue.StringFunc(func(got string) error {
		if w := want(); got != w {
			return fmt.Errorf("got %q, want %q", got, w)
		}
		return nil
	})
}

// TestFlowServerBackupsDataSource reads a server's backups as the cloud lists them: its first full backup,
// the earliest restore time, the geo region; the geo copy shows once the cloud's clock has passed
// spec.GeoCopyDelay. A server that does not exist is an error on server_id.
func TestFlowServerBackupsDataSource(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	geo := map[string]string{"geo_redundant_backup_enabled": "true"}
	config := flowServerHCL(c, geo, "") + backupsHCL("test", "flexpg_server.test.id")
	var earliest string
	first := func(attr string) tfjsonpath.Path { return tfjsonpath.New("backups").AtSliceIndex(0).AtMapKey(attr) }
	listed := func(attr string, want func() string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(backupsAddr, first(attr), equalsLater(want))
	}
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{Config: flowServerHCL(c, geo, "")},
		resource.TestStep{
			PreConfig: func() { earliest = awaitEarliestRestoreTime(t, c.Client(), flowServer) },
			Config:    config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("earliest_restore_time"), equalsLater(func() string { return earliest })),
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("geo_region"), knownvalue.StringExact("northeurope")),
				statecheck.ExpectKnownValue(backupsAddr, tfjsonpath.New("backups"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(backupsAddr, first("backup_type"), knownvalue.StringExact("Full")),
				statecheck.ExpectKnownValue(backupsAddr, first("source"), knownvalue.StringExact("Automatic")),
				statecheck.ExpectKnownValue(backupsAddr, first("geo_copied"), knownvalue.Bool(false)),
				// The first backup's completion is the start of the restore window.
				statecheck.CompareValuePairs(backupsAddr, first("completed_time"), backupsAddr, tfjsonpath.New("earliest_restore_time"), compare.ValuesSame()),
				listed("name", func() string { return firstBackup(t, c).Name }),
				listed("started_time", func() string { return firstBackup(t, c).StartedTime.UTC().Format(time.RFC3339Nano) }),
			},
		},
		resource.TestStep{
			PreConfig: func() {
				if _, err := c.Client().AdvanceClock(flowContext(t), spec.GeoCopyDelay+time.Minute); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(backupsAddr, first("geo_copied"), knownvalue.Bool(true)),
			},
		},
		resource.TestStep{
			Config:      config + backupsHCL("missing", `"/flexibleServers/no-such-server"`),
			ExpectError: wrapTolerant(`Server Not Found[\s\S]*no server named "no-such-server"`),
		},
	))
}

// firstBackup is the flow server's oldest backup, as the cloud lists it.
func firstBackup(t *testing.T, c *memcloud.Cloud) model.Backup {
	t.Helper()
	list, err := c.Client().ListBackups(flowContext(t), flowServer)
	if err != nil || len(list.Value) == 0 {
		t.Fatalf("backups of %s: %v, %v", flowServer, list, err)
	}
	return list.Value[0]
}
