package provider_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The server's flows through Terraform against memcloud (see flow_cloud_test.go).

func TestFlowServer_lifecycle(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	grown := map[string]string{"auto_grow_enabled": "true", "storage_mb": "65536", "sku_name": `"GP_Standard_D2s_v3"`}
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: flowServerHCL(c, nil, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("fqdn"), knownvalue.StringExact("fake-server.postgres.flexpg.internal")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("host"), knownvalue.StringExact("127.0.0.1")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P4")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password"), knownvalue.StringExact("Str0ng-Passw0rd!")),
			},
			Check: resource.ComposeTestCheckFunc(
				// The port is the one the cloud reserved for the server and opened its host endpoint on.
				resource.TestCheckResourceAttrWith(serverAddr, "port", func(port string) error {
					s, err := c.Server(flowServer)
					ep, open := c.Endpoints().Get(flowServer)
					if err != nil || !open || port != strconv.Itoa(s.HostPort) || ep.Port != s.HostPort {
						return fmt.Errorf("port %s; the cloud reserved %d and opened %d (open %v, %v)", port, s.HostPort, ep.Port, open, err)
					}
					return nil
				}),
				checkCloud(func() error { return c.Postgres().CheckPasswords(flowServer, "Str0ng-Passw0rd!") }),
			),
		},
		resource.TestStep{
			// Scale and grow in place; the unset tier follows the new size; the unchanged password is not resent.
			Config: flowServerHCL(c, map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "storage_mb": "65536"}, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P6")),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("fqdn"), knownvalue.StringExact("fake-server.postgres.flexpg.internal")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(serverAddr, tfjsonpath.New("id"))},
			Check: resource.ComposeTestCheckFunc(
				flowServerRecord(c, func(s store.Server) error {
					if s.Spec.SKUName != "GP_Standard_D2s_v3" || s.Spec.StorageMB != 65536 || s.Spec.StorageTier != "P6" {
						return fmt.Errorf("cloud has sku %s, storage %d %s", s.Spec.SKUName, s.Spec.StorageMB, s.Spec.StorageTier)
					}
					return nil
				}),
				checkCloud(func() error { return wantCompute(c, "GP_Standard_D2s_v3") }),
				checkCloud(func() error { return c.Postgres().CheckPasswords(flowServer, "Str0ng-Passw0rd!") }),
			),
		},
		resource.TestStep{
			// Shrinking is a plan-time error naming the current size, never a replacement.
			Config:      flowServerHCL(c, map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "storage_mb": "32768"}, ""),
			PlanOnly:    true,
			ExpectError: wrapTolerant(`storage_mb cannot decrease: the server has 65536 MB`),
		},
		resource.TestStep{
			Config: flowServerHCL(c, grown, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
			}},
		},
		resource.TestStep{
			// The disk fills up and the cloud's storage guard auto-grows it: with auto-grow on, that is not drift.
			PreConfig: func() { autoGrow(t, c, 131072) },
			Config:    flowServerHCL(c, grown, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(131072)),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P10")),
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(131072)),
			},
		},
		resource.TestStep{
			// A password change is sent on its own; a pure stop sends no spec change.
			Config: flowServerHCL(c, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`}), ""),
			Check: checkCloud(func() error {
				return c.Postgres().CheckPasswords(flowServer, "Str0ng-Passw0rd!", "New-Passw0rd!")
			}),
		},
		resource.TestStep{
			Config: flowServerHCL(c, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`, "state": `"Stopped"`}), ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("state"), knownvalue.StringExact(spec.StateStopped)),
			},
			Check: resource.ComposeTestCheckFunc(
				flowServerRecord(c, func(s store.Server) error {
					if s.Phase != store.PhaseStopped {
						return fmt.Errorf("cloud phase %q, want Stopped", s.Phase)
					}
					return nil
				}),
				checkCloud(func() error { return wantRunning(c, false) }),
			),
		},
		resource.TestStep{
			// Without state in the configuration, the current power state is kept.
			Config: flowServerHCL(c, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`}), ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		},
		resource.TestStep{
			ResourceName:            serverAddr,
			ImportState:             true,
			ImportStateId:           spec.ServerID(flowServer),
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"administrator_password"},
		},
		resource.TestStep{
			// A lower major version replaces the server.
			Config: flowServerHCL(c, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`, "version": `"15"`}), ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("version"), knownvalue.StringExact("15")),
			},
			Check: resource.ComposeTestCheckFunc(
				flowServerRecord(c, func(s store.Server) error {
					if s.Spec.Version != "15" || s.Phase != store.PhaseReady {
						return fmt.Errorf("cloud has version %s, phase %s", s.Spec.Version, s.Phase)
					}
					return nil
				}),
				checkCloud(func() error { return wantRunning(c, true) }),
			),
		},
	))
}

// autoGrow fills the flow server's disk to 96% and lets the cloud's storage guard grow it to wantMB, as
// auto-grow does in the service. The fill is below 95% of the grown size, so the guard stops there.
func autoGrow(t *testing.T, c *memcloud.Cloud, wantMB int64) {
	t.Helper()
	if err := c.FillStorage(flowServer, 0.96); err != nil {
		t.Fatal(err)
	}
	c.Housekeep()
	if _, err := c.WaitServer(flowContext(t), flowServer, func(s store.Server, err error) bool {
		return err == nil && s.Spec.StorageMB == wantMB && s.ActiveOp == ""
	}); err != nil {
		t.Fatalf("auto-grow to %d MB: %v", wantMB, err)
	}
}

// wantCompute checks that the flow server's container has the limits of sku on this machine's scale.
func wantCompute(c *memcloud.Cloud, sku string) error {
	want, ok := spec.LookupSKU(sku)
	if !ok {
		return fmt.Errorf("unknown sku %s", sku)
	}
	compute := spec.ScaledCompute(want, spec.DefaultScale)
	return wantContainer(c, func(info runtime.ContainerInfo) error {
		if info.MemoryByte != compute.MemoryBytes || info.NanoCPUs != compute.NanoCPUs {
			return fmt.Errorf("container limits %d B, %d nanoCPUs; want %+v", info.MemoryByte, info.NanoCPUs, compute)
		}
		return nil
	})
}

// wantRunning checks whether the flow server's container runs.
func wantRunning(c *memcloud.Cloud, running bool) error {
	return wantContainer(c, func(info runtime.ContainerInfo) error {
		if info.Running != running {
			return fmt.Errorf("container running %v, want %v", info.Running, running)
		}
		return nil
	})
}

// wantContainer runs check on the engine's view of the flow server's container.
func wantContainer(c *memcloud.Cloud, check func(runtime.ContainerInfo) error) error {
	info, err := c.Runtime().InspectContainer(context.Background(), c.Container(flowServer))
	if err != nil {
		return err
	}
	return check(info)
}

func TestFlowServer_writeOnlyPassword(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	config := func(password string, version int) string {
		return flowServerHCL(c, map[string]string{"administrator_password": ""}, fmt.Sprintf(
			"administrator_password_wo = %q\n  administrator_password_wo_version = %d", password, version))
	}
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: config("First-Passw0rd!", 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password_wo"), knownvalue.Null()),
			},
			Check: checkCloud(func() error { return c.Postgres().CheckPasswords(flowServer, "First-Passw0rd!") }),
		},
		resource.TestStep{
			Config:           config("Second-Passw0rd!", 1),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config: config("Second-Passw0rd!", 2),
			Check: checkCloud(func() error {
				return c.Postgres().CheckPasswords(flowServer, "First-Passw0rd!", "Second-Passw0rd!")
			}),
		},
	))
}

func TestFlowServer_alreadyExists(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	createOutOfBand(t, c, flowServer)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      flowServerHCL(c, nil, ""),
			ExpectError: wrapTolerant(`Server Already Exists[\s\S]*terraform import <resource address> /flexibleServers/fake-server`),
		}},
	})
}

// TestFlowServer_failedCreateRollsBack: a create the cloud accepted but could not finish (the engine does not
// start the container) is reported with the cloud's reason and saved as tainted. The cloud rolls the create
// back completely, so the next plan finds nothing to replace and creates the server anew.
func TestFlowServer_failedCreateRollsBack(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	c.Runtime().FailNext("StartContainer", errors.New("injected: the engine could not start the container"))
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config:      flowServerHCL(c, nil, ""),
			ExpectError: wrapTolerant(`did not finish; Terraform saved it as tainted[\s\S]*injected: the engine could not start the container`),
		},
		resource.TestStep{
			Config: flowServerHCL(c, nil, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				planCheckCloud(func() error { return cloudEmpty(c) }),
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate),
			}},
		},
	))
}

// TestFlowServer_unfinishedCreateIsTracked: a create still running when the provider's timeout ends is saved
// in state as tainted, so the next apply replaces the server rather than losing track of it.
func TestFlowServer_unfinishedCreateIsTracked(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	release := c.Postgres().Hold(flowServer) // the instance never answers: the create waits at its start step
	timeouts := "timeouts {\n    create = \"2s\"\n  }"
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config:      flowServerHCL(c, nil, timeouts),
			ExpectError: wrapTolerant(`did not finish; Terraform saved it as tainted[\s\S]*stopped waiting for operation`),
		},
		resource.TestStep{
			PreConfig: func() {
				release()
				if _, err := c.WaitServer(flowContext(t), flowServer, func(s store.Server, err error) bool {
					return err == nil && s.Phase == store.PhaseReady && s.ActiveOp == ""
				}); err != nil {
					t.Fatalf("the create did not finish once the instance answered: %v", err)
				}
			},
			Config: flowServerHCL(c, nil, ""), // the default timeout: this create must not be cut short
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
		},
	))
}

func TestFlowServer_disappears(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config:             flowServerHCL(c, nil, ""),
			Check:              checkCloud(func() error { return deleteOutOfBand(c, flowServer) }),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate),
			}},
		},
	))
}

func TestFlowDataSources(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: flowServerHCL(c, nil, `tags = { team = "data" }`) + `
data "flexpg_server" "test" {
  name = flexpg_server.test.name
}

data "flexpg_ca_certificate" "test" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(serverAddr, tfjsonpath.New("fqdn"), "data.flexpg_server.test", tfjsonpath.New("fqdn"), compare.ValuesSame()),
				statecheck.CompareValuePairs(serverAddr, tfjsonpath.New("tags"), "data.flexpg_server.test", tfjsonpath.New("tags"), compare.ValuesSame()),
				// The cloud's own CA, as the API serves it.
				statecheck.ExpectKnownValue("data.flexpg_ca_certificate.test", tfjsonpath.New("certificate_pem"),
					knownvalue.StringExact(string(c.CACertPEM()))),
			},
		},
	))
}
