package provider_test

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// These tests apply real configurations through Terraform against fakeCloud (no Docker, no TF_ACC). They
// prove the provider's side of every flow: what it sends, how it waits, what it stores, and what it plans
// from the state the cloud reports. The acceptance tests prove the same against the real cloud.

func fakeTestCase(t *testing.T, f *fakeCloud, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy: func(*terraform.State) error {
			var err error
			f.with(func(f *fakeCloud) {
				if len(f.servers) != 0 {
					err = fmt.Errorf("servers left after destroy: %d", len(f.servers))
				}
			})
			return err
		},
		Steps: steps,
	}
}

// fakeServerHCL is a server on the fake cloud.
func fakeServerHCL(f *fakeCloud, overrides map[string]string, extra string) string {
	return f.providerHCL() + testAccServerHCL("fake-server", overrides, extra)
}

// check runs fn on the fake's state after a step.
func check(f *fakeCloud, fn func(f *fakeCloud) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var err error
		f.with(func(f *fakeCloud) { err = fn(f) })
		return err
	}
}

func TestFakeServer_lifecycle(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	grown := map[string]string{"auto_grow_enabled": "true", "storage_mb": "65536", "sku_name": `"GP_Standard_D2s_v3"`}
	resource.UnitTest(t, fakeTestCase(t, f,
		resource.TestStep{
			Config: fakeServerHCL(f, nil, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("fqdn"), knownvalue.StringExact("fake-server.postgres.flexpg.internal")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("port"), knownvalue.Int64Exact(50001)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P4")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password"), knownvalue.StringExact("Str0ng-Passw0rd!")),
			},
			Check: check(f, func(f *fakeCloud) error {
				return wantPasswords(f, "Str0ng-Passw0rd!")
			}),
		},
		resource.TestStep{
			// Scale and grow in place; the unset tier follows the new size; the unchanged password is not resent.
			Config: fakeServerHCL(f, map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "storage_mb": "65536"}, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P6")),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("fqdn"), knownvalue.StringExact("fake-server.postgres.flexpg.internal")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(serverAddr, tfjsonpath.New("id"))},
			Check: check(f, func(f *fakeCloud) error {
				s := f.servers["fake-server"]
				if s.SKUName != "GP_Standard_D2s_v3" || s.StorageMB != 65536 || s.StorageTier != "P6" {
					return fmt.Errorf("cloud has sku %s, storage %d %s", s.SKUName, s.StorageMB, s.StorageTier)
				}
				return wantPasswords(f, "Str0ng-Passw0rd!")
			}),
		},
		resource.TestStep{
			// Shrinking is a plan-time error naming the current size, never a replacement.
			Config:      fakeServerHCL(f, map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "storage_mb": "32768"}, ""),
			PlanOnly:    true,
			ExpectError: wrapTolerant(`storage_mb cannot decrease: the server has 65536 MB`),
		},
		resource.TestStep{
			Config: fakeServerHCL(f, grown, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
			}},
		},
		resource.TestStep{
			// The cloud auto-grew the disk: with auto-grow on, that is not drift.
			PreConfig: func() {
				f.with(func(f *fakeCloud) {
					f.servers["fake-server"].StorageMB, f.servers["fake-server"].StorageTier = 131072, "P10"
				})
			},
			Config: fakeServerHCL(f, grown, ""),
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
			Config: fakeServerHCL(f, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`}), ""),
			Check: check(f, func(f *fakeCloud) error {
				return wantPasswords(f, "Str0ng-Passw0rd!", "New-Passw0rd!")
			}),
		},
		resource.TestStep{
			Config: fakeServerHCL(f, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`, "state": `"Stopped"`}), ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("state"), knownvalue.StringExact(spec.StateStopped)),
			},
			Check: check(f, func(f *fakeCloud) error {
				if got := f.servers["fake-server"].State; got != spec.StateStopped {
					return fmt.Errorf("cloud state %q, want Stopped", got)
				}
				return nil
			}),
		},
		resource.TestStep{
			// Without state in the configuration, the current power state is kept.
			Config: fakeServerHCL(f, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`}), ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		},
		resource.TestStep{
			ResourceName:            serverAddr,
			ImportState:             true,
			ImportStateId:           spec.ServerID("fake-server"),
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"administrator_password"},
		},
		resource.TestStep{
			// A lower major version replaces the server.
			Config: fakeServerHCL(f, mergeAttrs(grown, map[string]string{"administrator_password": `"New-Passw0rd!"`, "version": `"15"`}), ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("version"), knownvalue.StringExact("15")),
			},
		},
	))
}

func TestFakeServer_writeOnlyPassword(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	config := func(password string, version int) string {
		return fakeServerHCL(f, map[string]string{"administrator_password": ""}, fmt.Sprintf(
			"administrator_password_wo = %q\n  administrator_password_wo_version = %d", password, version))
	}
	resource.UnitTest(t, fakeTestCase(t, f,
		resource.TestStep{
			Config: config("First-Passw0rd!", 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password_wo"), knownvalue.Null()),
			},
			Check: check(f, func(f *fakeCloud) error { return wantPasswords(f, "First-Passw0rd!") }),
		},
		resource.TestStep{
			Config:           config("Second-Passw0rd!", 1),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config: config("Second-Passw0rd!", 2),
			Check:  check(f, func(f *fakeCloud) error { return wantPasswords(f, "First-Passw0rd!", "Second-Passw0rd!") }),
		},
	))
}

func TestFakeServer_alreadyExists(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.with(func(f *fakeCloud) {
		f.servers["fake-server"] = f.complete(testServerDocument("fake-server"), nil)
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fakeServerHCL(f, nil, ""),
			ExpectError: wrapTolerant(`Server Already Exists[\s\S]*terraform import <resource address> /flexibleServers/fake-server`),
		}},
	})
}

// TestFakeServer_failedCreateIsTracked: a create the cloud accepted but could not finish is saved in state
// as tainted, so the next apply replaces it rather than losing track of it.
func TestFakeServer_failedCreateIsTracked(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.with(func(f *fakeCloud) { f.failCreate = true })
	resource.UnitTest(t, fakeTestCase(t, f,
		resource.TestStep{
			Config:      fakeServerHCL(f, nil, ""),
			ExpectError: wrapTolerant(`did not finish; Terraform saved it as tainted[\s\S]*container failed to start`),
		},
		resource.TestStep{
			Config: fakeServerHCL(f, nil, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
		},
	))
}

func TestFakeServer_disappears(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	resource.UnitTest(t, fakeTestCase(t, f,
		resource.TestStep{
			Config: fakeServerHCL(f, nil, ""),
			Check: check(f, func(f *fakeCloud) error {
				delete(f.servers, "fake-server")
				return nil
			}),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate),
			}},
		},
	))
}

// TestFakeChildren_lifecycle covers firewall rules (with ServerBusy retries), databases (charset spelling)
// and configurations (a static parameter restarts the server; destroy resets it).
func TestFakeChildren_lifecycle(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	children := func(end, workMem string) string {
		return fakeServerHCL(f, nil, "") + fmt.Sprintf(`
resource "flexpg_firewall_rule" "test" {
  name             = "office"
  server_id        = flexpg_server.test.id
  start_ip_address = "10.0.0.1"
  end_ip_address   = %[1]q
}

resource "flexpg_database" "test" {
  name      = "app"
  server_id = flexpg_server.test.id
  charset   = "utf8"
}

resource "flexpg_server_configuration" "static" {
  name      = "max_connections"
  server_id = flexpg_server.test.id
  value     = "60"
}

resource "flexpg_server_configuration" "dynamic" {
  name      = "work_mem"
  server_id = flexpg_server.test.id
  value     = %[2]q
}
`, end, workMem)
	}
	resource.UnitTest(t, fakeTestCase(t, f,
		resource.TestStep{
			PreConfig: func() { f.with(func(f *fakeCloud) { f.busy = 0 }) },
			Config:    children("10.0.0.255", "8192"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.FirewallRuleID("fake-server", "office"))),
				statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("charset"), knownvalue.StringExact("utf8")),
				statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("collation"), knownvalue.StringExact("en_US.utf8")),
			},
			Check: check(f, func(f *fakeCloud) error {
				if got := f.restarts["fake-server"]; got != 1 {
					return fmt.Errorf("server restarted %d times, want 1 (for the static parameter only)", got)
				}
				if got := f.params["fake-server"]["max_connections"]; got.Value != "60" || got.IsConfigPendingRestart {
					return fmt.Errorf("max_connections = %q, pending restart %v", got.Value, got.IsConfigPendingRestart)
				}
				return nil
			}),
		},
		resource.TestStep{
			// The cloud is busy for the next two mutations: the provider retries instead of failing.
			PreConfig: func() { f.with(func(f *fakeCloud) { f.busy = 2 }) },
			Config:    children("10.0.1.255", "16384"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(firewallRuleAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("flexpg_server_configuration.dynamic", plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("flexpg_server_configuration.static", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction(databaseAddr, plancheck.ResourceActionNoop),
			}},
			Check: check(f, func(f *fakeCloud) error {
				if got := f.rules["fake-server"]["office"].EndIPAddress; got != "10.0.1.255" {
					return fmt.Errorf("rule ends at %s", got)
				}
				if f.busy != 0 {
					return errors.New("the busy answers were not consumed")
				}
				return nil
			}),
		},
		resource.TestStep{ResourceName: firewallRuleAddr, ImportState: true, ImportStateVerify: true},
		resource.TestStep{
			ResourceName: databaseAddr, ImportState: true, ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"charset"}, // imported in the cloud's spelling, UTF8
		},
		resource.TestStep{ResourceName: "flexpg_server_configuration.static", ImportState: true, ImportStateVerify: true},
		resource.TestStep{
			// Removing the configurations resets them; the static one restarts the server again.
			Config: fakeServerHCL(f, nil, ""),
			Check: check(f, func(f *fakeCloud) error {
				for name, p := range f.params["fake-server"] {
					if p.Value != p.DefaultValue || p.Source != "system-default" {
						return fmt.Errorf("%s = %q (%s), want its default", name, p.Value, p.Source)
					}
				}
				if got := f.restarts["fake-server"]; got != 2 {
					return fmt.Errorf("server restarted %d times, want 2", got)
				}
				if len(f.rules["fake-server"])+len(f.databases["fake-server"]) != 0 {
					return errors.New("firewall rule or database left behind")
				}
				return nil
			}),
		},
	))
}

func TestFakeDataSources(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	resource.UnitTest(t, fakeTestCase(t, f,
		resource.TestStep{
			Config: fakeServerHCL(f, nil, `tags = { team = "data" }`) + `
data "flexpg_server" "test" {
  name = flexpg_server.test.name
}

data "flexpg_ca_certificate" "test" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(serverAddr, tfjsonpath.New("fqdn"), "data.flexpg_server.test", tfjsonpath.New("fqdn"), compare.ValuesSame()),
				statecheck.CompareValuePairs(serverAddr, tfjsonpath.New("tags"), "data.flexpg_server.test", tfjsonpath.New("tags"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.flexpg_ca_certificate.test", tfjsonpath.New("certificate_pem"),
					knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN CERTIFICATE-----`))),
			},
		},
	))
}

func wantPasswords(f *fakeCloud, want ...string) error {
	got := f.passwords["fake-server"]
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("passwords sent: %d, want %d in order", len(got), len(want)) // never print passwords
	}
	return nil
}

func mergeAttrs(base, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
