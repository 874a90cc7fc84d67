package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// Helpers of the restore tests, on memcloud and on Docker.

// restoreTimeVariable is the configuration variable a restore's point_in_time_restore_time_in_utc reads. A
// test learns the time only while it runs (after the source has a backup, between two commits), and a step's
// configuration is a fixed string, so the value is a variable the step sets when it runs.
const restoreTimeVariable = "restore_time"

// restoreTimeHCL declares restoreTimeVariable.
const restoreTimeHCL = "\nvariable \"" + restoreTimeVariable + "\" {\n  type = string\n}\n"

// restoreOfTestHCL is flexpg_server.restored named name, a restore of flexpg_server.test to the time in
// restoreTimeVariable (declared with it); overrides change the restore, extra adds lines.
func restoreOfTestHCL(name string, overrides map[string]string, extra string) string {
	return restoreTimeHCL + restoreHCL(mergeAttrs(map[string]string{
		"name":                              fmt.Sprintf("%q", name),
		"source_server_id":                  "flexpg_server.test.id",
		"point_in_time_restore_time_in_utc": "var." + restoreTimeVariable,
	}, overrides), extra)
}

// lateVariable is a configuration variable whose value is read when Terraform runs the step (the testing
// framework writes variables after the step's PreConfig), not when the test case is built.
type lateVariable struct{ value *string }

func (v lateVariable) MarshalJSON() ([]byte, error) {
	if *v.value == "" {
		return nil, errors.New("the restore time was not recorded before the step that uses it")
	}
	return json.Marshal(*v.value)
}

// restoreTimeVariables are the variables of a step whose configuration uses restoreTimeHCL.
func restoreTimeVariables(at *string) config.Variables {
	return config.Variables{restoreTimeVariable: lateVariable{value: at}}
}

// backupWait bounds the wait for a server's first full backup: right after its creation on the cloud's
// schedule, a pg_basebackup of an empty server on Docker.
const backupWait = 2 * time.Minute

// awaitEarliestRestoreTime waits until the server has a full backup to restore from, and returns its
// earliest restore time (on the cloud's clock) as the cloud spells it.
func awaitEarliestRestoreTime(t *testing.T, c *client.Client, server string) string {
	t.Helper()
	earliest, err := earliestRestoreTime(c, server)
	if err != nil {
		t.Fatal(err)
	}
	return earliest
}

// earliestRestoreTime is awaitEarliestRestoreTime for a check, which reports instead of failing the test.
func earliestRestoreTime(c *client.Client, server string) (string, error) {
	var earliest string
	_, err := cloudtest.Eventually(context.Background(), backupWait, func() error {
		list, err := c.ListBackups(context.Background(), server)
		if err != nil {
			return err
		}
		if earliest = list.EarliestRestoreTime; earliest == "" {
			return fmt.Errorf("server %s has no full backup yet (%d listed)", server, len(list.Value))
		}
		return nil
	})
	return earliest, err
}

// refreshAfterFirstBackup is an acceptance step that waits for the server's first full backup and refreshes
// the state. The cloud takes that backup right after the create, so the create's read-back may come before
// it; the backup sets earliest_restore_time, which an import reads, so the state an import is compared with
// must be read after it.
func refreshAfterFirstBackup(t *testing.T, name string) resource.TestStep {
	return resource.TestStep{
		PreConfig:    func() { awaitEarliestRestoreTime(t, acctest.Client(t), name) },
		RefreshState: true,
	}
}
