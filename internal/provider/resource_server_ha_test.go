package provider_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Acceptance tests of high availability (TF_ACC=1): each server is a primary and a synchronous standby, two
// real PostgreSQL containers, and every failover is a real one (promote, rewind, resync).

// testAccHAServerHCL is a GeneralPurpose server in westeurope with ZoneRedundant high availability. zone and
// standby set zone and standby_availability_zone ("" leaves them to the cloud); extra adds lines.
func testAccHAServerHCL(name, zone, standby, extra string) string {
	attrs := haServerAttrs(nil)
	if zone != "" {
		attrs["zone"] = fmt.Sprintf("%q", zone)
	}
	return testAccServerHCL(name, attrs, haBlock(standby, extra))
}

// haServerAttrs are the attributes of a server that may have HA (a GeneralPurpose SKU), with more.
func haServerAttrs(more map[string]string) map[string]string {
	attrs := map[string]string{"sku_name": `"GP_Standard_D2s_v3"`}
	for k, v := range more {
		attrs[k] = v
	}
	return attrs
}

// haBlock is a ZoneRedundant high_availability block (standby "" leaves the standby's zone to the cloud)
// followed by extra lines.
func haBlock(standby, extra string) string {
	block := "high_availability {\n    mode = \"ZoneRedundant\"\n"
	if standby != "" {
		block += fmt.Sprintf("    standby_availability_zone = %q\n", standby)
	}
	block += "  }"
	if extra != "" {
		block += "\n  " + extra
	}
	return block
}

// haStateChecks expect a Healthy server whose primary is in zone and standby in standbyZone, in state.
func haStateChecks(zone, standbyZone string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("ha_state"), knownvalue.StringExact(spec.HAStateHealthy)),
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("zone"), knownvalue.StringExact(zone)),
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("standby_zone"), knownvalue.StringExact(standbyZone)),
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("state"), knownvalue.StringExact(spec.StateReady)),
	}
}

// checkCloudHA checks the server in the cloud itself (not in state): Healthy, primary in zone, standby in
// standbyZone.
func checkCloudHA(t *testing.T, name, zone, standbyZone string) resource.TestCheckFunc {
	return checkCloudServer(t, name, func(s *model.Server) error {
		if s.HAState != spec.HAStateHealthy || s.Zone != zone || s.StandbyZone != standbyZone {
			return fmt.Errorf("ha_state %s, zone %s, standby_zone %s; want Healthy, %s, %s", s.HAState, s.Zone, s.StandbyZone, zone, standbyZone)
		}
		return nil
	})
}

// checkCloudNoHA checks that the cloud reports the server without a standby.
func checkCloudNoHA(t *testing.T, name string) resource.TestCheckFunc {
	return checkCloudServer(t, name, func(s *model.Server) error {
		if s.HAState != spec.HAStateNotEnabled || s.StandbyZone != "" || s.HighAvailability != nil {
			return fmt.Errorf("ha_state %s, standby_zone %q, high_availability %+v; want no HA", s.HAState, s.StandbyZone, s.HighAvailability)
		}
		return nil
	})
}

// checkCloudServer reads the server from the cloud and checks it with check.
func checkCloudServer(t *testing.T, name string, check func(*model.Server) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := acctest.Client(t).GetServer(ctx, name)
		if err != nil {
			return err
		}
		if err := check(s); err != nil {
			return fmt.Errorf("server %s in the cloud: %w", name, err)
		}
		return nil
	}
}

// TestAccServer_highAvailability creates a server with ZoneRedundant HA in zone 1 and lets the cloud place
// the standby (zone 2), then imports it: import reads back the same HA block and zones.
func TestAccServer_highAvailability(t *testing.T) {
	name := acctest.RandomName("ha")
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: testAccHAServerHCL(name, "1", "", ""),
			ConfigStateChecks: append(haStateChecks("1", "2"),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("high_availability"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"mode":                      knownvalue.StringExact(spec.HAModeZoneRedundant),
						"standby_availability_zone": knownvalue.Null(), // left to the cloud, and not drift
					}),
				})),
			),
			Check: checkCloudHA(t, name, "1", "2"),
		},
		refreshAfterFirstBackup(t, name),
		resource.TestStep{
			ResourceName:            serverAddr,
			ImportState:             true,
			ImportStateId:           spec.ServerID(name),
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"administrator_password", "administrator_password_wo", "administrator_password_wo_version"},
		},
	))
}

// TestAccServer_haEnableDisable adds high availability to a running server and removes it again, each an
// in-place update that waits for the standby to be built (Healthy) or gone (NotEnabled).
func TestAccServer_haEnableDisable(t *testing.T) {
	name := acctest.RandomName("haonoff")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	withoutHA := testAccServerHCL(name, map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "zone": `"1"`}, "")
	// Each step adds its own value to sameID: a check built once and used in two steps compares only one.
	notEnabled := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
			statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("ha_state"), knownvalue.StringExact(spec.HAStateNotEnabled)),
			statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("standby_zone"), knownvalue.Null()),
			statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("high_availability"), knownvalue.ListExact([]knownvalue.Check{})),
		}
	}
	inPlace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
	}}
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            withoutHA,
			ConfigStateChecks: notEnabled(),
		},
		resource.TestStep{
			Config:            testAccHAServerHCL(name, "1", "", ""),
			ConfigPlanChecks:  inPlace,
			ConfigStateChecks: append(haStateChecks("1", "2"), sameID.AddStateValue(serverAddr, tfjsonpath.New("id"))),
			Check:             checkCloudHA(t, name, "1", "2"),
		},
		resource.TestStep{
			Config:            withoutHA,
			ConfigPlanChecks:  inPlace,
			ConfigStateChecks: notEnabled(),
			Check:             checkCloudNoHA(t, name),
		},
	))
}

// TestAccServer_haZoneSwap fails a server over on purpose the way azurerm users do: zone set to where the
// standby is and standby_availability_zone to where the primary is. That is an in-place update (a planned
// failover), never a replacement; any other zone change of a server with HA is refused on the attribute.
func TestAccServer_haZoneSwap(t *testing.T) {
	name := acctest.RandomName("haswap")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            testAccHAServerHCL(name, "1", "2", ""),
			ConfigStateChecks: append(haStateChecks("1", "2"), sameID.AddStateValue(serverAddr, tfjsonpath.New("id"))),
		},
		resource.TestStep{
			// Neither zone: the zones of a server with HA change only by failing over.
			Config:      testAccHAServerHCL(name, "3", "2", ""),
			ExpectError: wrapTolerant(`zone\s+= "3"[\s\S]*changes only by a failover: the primary is in zone 1 and the standby in zone 2`),
		},
		resource.TestStep{
			// The primary to the standby's zone, but the standby not to the primary's.
			Config:      testAccHAServerHCL(name, "2", "3", ""),
			ExpectError: wrapTolerant(`standby_availability_zone = "3"[\s\S]*must be "1", the primary's zone`),
		},
		resource.TestStep{
			Config: testAccHAServerHCL(name, "2", "1", ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				expectOnlyZoneSwap(serverAddr),
			}},
			ConfigStateChecks: append(haStateChecks("2", "1"), sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("high_availability").AtSliceIndex(0).AtMapKey("standby_availability_zone"),
					knownvalue.StringExact("1"))),
			Check: resource.ComposeTestCheckFunc(checkCloudHA(t, name, "2", "1"), checkFailovers(t, name, 0, 1)),
		},
	))
}

// TestAccServer_haUnplannedFailover kills the primary behind Terraform's back. The cloud fails over to the
// standby by itself; the refreshed state shows the primary where it now is, and the plan proposes only the
// in-place zone swap back, never a replacement; applying it fails back with a planned failover. After a
// second failover, ignore_changes on the two zones makes the plan empty and the state follows the cloud.
func TestAccServer_haUnplannedFailover(t *testing.T) {
	name := acctest.RandomName("hakill")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := testAccHAServerHCL(name, "1", "2", "")
	ignoring := testAccHAServerHCL(name, "1", "2", `lifecycle {
    ignore_changes = [zone, high_availability[0].standby_availability_zone]
  }`)
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            config,
			ConfigStateChecks: append(haStateChecks("1", "2"), sameID.AddStateValue(serverAddr, tfjsonpath.New("id"))),
		},
		resource.TestStep{
			// A refresh after the failover: the state says where the primary and the standby now are, and the
			// plan proposes only the in-place swap back.
			PreConfig:    func() { killPrimaryAndAwaitFailover(t, name) },
			RefreshState: true,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(serverAddr, "zone", "2"),
				resource.TestCheckResourceAttr(serverAddr, "standby_zone", "1"),
				resource.TestCheckResourceAttr(serverAddr, "high_availability.0.standby_availability_zone", "1"),
				resource.TestCheckResourceAttr(serverAddr, "ha_state", spec.HAStateHealthy),
			),
			ExpectNonEmptyPlan: true,
			RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectNonEmptyPlan(),
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				expectOnlyZoneSwap(serverAddr),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("zone"), knownvalue.StringExact("1")),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("high_availability").AtSliceIndex(0).AtMapKey("standby_availability_zone"),
					knownvalue.StringExact("2")),
			}},
		},
		resource.TestStep{
			// Applying the plan fails back: a planned failover to zone 1.
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				expectOnlyZoneSwap(serverAddr),
			}},
			ConfigStateChecks: append(haStateChecks("1", "2"), sameID.AddStateValue(serverAddr, tfjsonpath.New("id"))),
			Check:             resource.ComposeTestCheckFunc(checkCloudHA(t, name, "1", "2"), checkFailovers(t, name, 1, 1)),
		},
		resource.TestStep{
			PreConfig: func() { killPrimaryAndAwaitFailover(t, name) },
			Config:    ignoring,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			// The apply of an empty plan stores the refresh: the state says where the primary is.
			ConfigStateChecks: append(haStateChecks("2", "1"), sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("high_availability").AtSliceIndex(0).AtMapKey("standby_availability_zone"),
					knownvalue.StringExact("1"))),
			Check: resource.ComposeTestCheckFunc(checkCloudHA(t, name, "2", "1"), checkFailovers(t, name, 2, 1)),
		},
	))
}

// failoverTimeout bounds one failover a test causes: the cloud's own budget is a few seconds.
const failoverTimeout = 2 * time.Minute

// killPrimaryAndAwaitFailover kills the server's primary container through the cloud's fault injection: an
// unplanned failover, which the cloud performs by itself. It returns once the failover is over.
func killPrimaryAndAwaitFailover(t *testing.T, name string) {
	t.Helper()
	failOver(t, name, "killed the primary", func(ctx context.Context, c *client.Client) error {
		_, err := c.InjectFault(ctx, model.Fault{Action: model.FaultKill, Server: name})
		return err
	})
}

// failOverOnDemand fails the server over with the API's failover action, planned or forced.
func failOverOnDemand(t *testing.T, name, mode string) {
	t.Helper()
	failOver(t, name, mode+" failover", func(ctx context.Context, c *client.Client) error {
		op, err := c.FailoverServer(ctx, name, mode)
		_, err = c.Do(ctx, op, err, nil)
		return err
	})
}

// failOver causes a failover of a Healthy server behind Terraform's back and waits until the primary is in
// the former standby's zone and the server Healthy again, with no operation of it still running.
func failOver(t *testing.T, name, what string, cause func(context.Context, *client.Client) error) {
	t.Helper()
	c := acctest.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), failoverTimeout)
	defer cancel()
	before, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatalf("reading server %s: %v", name, err)
	}
	if before.HAState != spec.HAStateHealthy || before.StandbyZone == "" {
		t.Fatalf("server %s cannot fail over: ha_state %s, standby_zone %q", name, before.HAState, before.StandbyZone)
	}
	start := time.Now()
	if err := cause(ctx, c); err != nil {
		t.Fatalf("%s of server %s: %v", what, name, err)
	}
	awaitFailover(ctx, t, name, before.StandbyZone)
	t.Logf("%s of %s: primary in zone %s and Healthy again after %s", what, name, before.StandbyZone,
		time.Since(start).Round(10*time.Millisecond))
}

// awaitFailover waits until the server's primary is in wantZone, its ha_state is Healthy and no operation of
// the server runs (a failover's last steps, a repair).
func awaitFailover(ctx context.Context, t *testing.T, name, wantZone string) {
	t.Helper()
	c := acctest.Client(t)
	var last string
	for {
		s, err := c.GetServer(ctx, name)
		switch {
		case err != nil:
			last = err.Error()
		case s.Zone != wantZone || s.HAState != spec.HAStateHealthy || s.State != spec.StateReady:
			last = fmt.Sprintf("zone %s, ha_state %s, state %s", s.Zone, s.HAState, s.State)
		default:
			busy, err := serverOperationRunning(ctx, c, name)
			if err == nil && busy == "" {
				return
			}
			last = fmt.Sprintf("operation %s still running (%v)", busy, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("server %s did not fail over to zone %s and become Healthy: %s", name, wantZone, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// serverOperationRunning names a running operation of the server, or "" when none runs.
func serverOperationRunning(ctx context.Context, c *client.Client, name string) (string, error) {
	ops, err := c.ListOperations(ctx, model.OperationRunning)
	if err != nil {
		return "", err
	}
	for _, op := range ops {
		if op.ResourceID == spec.ServerID(name) {
			return op.Kind + " " + op.ID, nil
		}
	}
	return "", nil
}

// checkFailovers checks the server's succeeded operations: automatic failovers (server.failover, the
// cloud's own) and planned ones run by an update (a server.update whose steps include catching the standby
// up, draining the primary and promoting the standby: the zone swap). Nothing else failed the server over.
func checkFailovers(t *testing.T, name string, automatic, planned int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ops, err := acctest.Client(t).ListOperations(ctx, model.OperationSucceeded)
		if err != nil {
			return err
		}
		gotAutomatic, gotPlanned := 0, 0
		var seen []string
		for _, op := range ops {
			if op.ResourceID != spec.ServerID(name) {
				continue
			}
			seen = append(seen, op.Kind)
			switch {
			case op.Kind == "server.failover":
				gotAutomatic++
			case op.Kind == "server.update" && hasSteps(op, "catchUp", "drain", "promote", "resync"):
				gotPlanned++
			}
		}
		if gotAutomatic != automatic || gotPlanned != planned {
			return fmt.Errorf("server %s: %d automatic and %d planned failovers, want %d and %d (operations %v)",
				name, gotAutomatic, gotPlanned, automatic, planned, seen)
		}
		return nil
	}
}

// hasSteps reports whether the operation ran every named step successfully.
func hasSteps(op model.Operation, names ...string) bool {
	ok := map[string]bool{}
	for _, s := range op.Steps {
		if s.Outcome == "ok" && !s.RollingBack {
			ok[s.Name] = true
		}
	}
	for _, n := range names {
		if !ok[n] {
			return false
		}
	}
	return true
}

// expectOnlyZoneSwap is a plan check: the resource's planned change touches, among the values known before
// apply, only zone and high_availability (its standby_availability_zone; the mode stays). Values the cloud
// computes may be unknown.
func expectOnlyZoneSwap(addr string) plancheck.PlanCheck { return onlyZoneSwap{addr: addr} }

type onlyZoneSwap struct{ addr string }

func (c onlyZoneSwap) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		keys := map[string]bool{}
		for k := range before {
			keys[k] = true
		}
		for k := range after {
			keys[k] = true
		}
		var changed []string
		for k := range keys {
			if u, _ := unknown[k].(bool); u {
				continue
			}
			if !reflect.DeepEqual(before[k], after[k]) {
				changed = append(changed, k)
			}
		}
		sort.Strings(changed)
		if !reflect.DeepEqual(changed, []string{"high_availability", "zone"}) {
			resp.Error = fmt.Errorf("%s: the plan changes %v; want only the zone swap [high_availability zone]", c.addr, changed)
			return
		}
		b, _ := before["high_availability"].([]any)
		a, _ := after["high_availability"].([]any)
		if len(b) != 1 || len(a) != 1 || b[0].(map[string]any)["mode"] != a[0].(map[string]any)["mode"] {
			resp.Error = fmt.Errorf("%s: high_availability changes from %v to %v; want only its standby_availability_zone", c.addr, b, a)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}
