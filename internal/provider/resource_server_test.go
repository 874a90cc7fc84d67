package provider_test

import (
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

// Acceptance tests of flexpg_server (TF_ACC=1). Each creates one small server at a time.

const serverAddr = "flexpg_server.test"

func TestAccServer_basic(t *testing.T) {
	name := acctest.RandomName("basic")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: testAccServerHCL(name, nil, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.ServerID(name))),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("fqdn"), knownvalue.StringExact(name+".postgres.flexpg.internal")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("host"), knownvalue.StringExact("127.0.0.1")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("port"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("state"), knownvalue.StringExact(spec.StateReady)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("version"), knownvalue.StringExact("17")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(spec.DefaultStorageMB)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P4")),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("backup_retention_days"), knownvalue.Int64Exact(7)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("high_availability"), knownvalue.ListExact([]knownvalue.Check{})),
			},
			Check: acctest.CheckServerExists(name, spec.StateReady),
		}},
	})
}

// TestAccServer_update scales compute, grows storage (the tier follows), changes retention and sets a
// maintenance window in one in-place update, then refuses a shrink at plan time.
func TestAccServer_update(t *testing.T) {
	name := acctest.RandomName("update")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccServerHCL(name, nil, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
				},
			},
			{
				Config: testAccServerHCL(name, map[string]string{
					"sku_name":              `"GP_Standard_D2s_v3"`,
					"storage_mb":            "65536",
					"backup_retention_days": "14",
				}, `maintenance_window {
    day_of_week  = 3
    start_hour   = 2
    start_minute = 30
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P6")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(serverAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("sku_name"), knownvalue.StringExact("GP_Standard_D2s_v3")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(65536)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P6")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("backup_retention_days"), knownvalue.Int64Exact(14)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("maintenance_window"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"day_of_week":  knownvalue.Int64Exact(3),
							"start_hour":   knownvalue.Int64Exact(2),
							"start_minute": knownvalue.Int64Exact(30),
						}),
					})),
				},
			},
			{
				// Storage only grows: a smaller size is a plan-time error naming the current size, not a replacement.
				Config: testAccServerHCL(name, map[string]string{
					"sku_name":   `"GP_Standard_D2s_v3"`,
					"storage_mb": "32768",
				}, ""),
				PlanOnly:    true,
				ExpectError: wrapTolerant(`storage_mb cannot decrease: the server has 65536 MB`),
			},
		},
	})
}

func TestAccServer_stopStart(t *testing.T) {
	name := acctest.RandomName("power")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccServerHCL(name, map[string]string{"state": `"Stopped"`}, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("state"), knownvalue.StringExact(spec.StateStopped)),
				},
				Check: acctest.CheckServerExists(name, spec.StateStopped),
			},
			{
				Config: testAccServerHCL(name, map[string]string{"state": `"Ready"`}, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("state"), knownvalue.StringExact(spec.StateReady)),
				},
				Check: acctest.CheckServerExists(name, spec.StateReady),
			},
		},
	})
}

func TestAccServer_replaceOnNameOrLocation(t *testing.T) {
	first, second := acctest.RandomName("replace"), acctest.RandomName("replace")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccServerHCL(first, nil, ""),
			},
			{
				Config: testAccServerHCL(second, nil, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.CheckServerDestroyed(first),
					acctest.CheckServerExists(second, spec.StateReady),
				),
			},
			{
				Config: testAccServerHCL(second, map[string]string{"location": `"northeurope"`}, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("location"), knownvalue.StringExact("northeurope")),
				},
			},
		},
	})
}

func TestAccServer_import(t *testing.T) {
	name := acctest.RandomName("import")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccServerHCL(name, nil, `tags = { env = "test" }`),
			},
			refreshAfterFirstBackup(t, name),
			{
				ResourceName:      serverAddr,
				ImportState:       true,
				ImportStateId:     spec.ServerID(name),
				ImportStateVerify: true,
				// Secrets are never read back from the cloud.
				ImportStateVerifyIgnore: []string{"administrator_password", "administrator_password_wo", "administrator_password_wo_version"},
			},
			{
				ResourceName:  serverAddr,
				ImportState:   true,
				ImportStateId: name, // a bare name is not an ID
				ExpectError:   regexp.MustCompile(`Invalid Import ID`),
			},
		},
	})
}

// TestAccServer_disappears deletes the server behind Terraform's back: the refresh must drop it from state
// and the next plan must create it again.
func TestAccServer_disappears(t *testing.T) {
	name := acctest.RandomName("gone")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: testAccServerHCL(name, nil, ""),
			Check: func(*terraform.State) error {
				acctest.DeleteServerOutOfBand(t, name)
				return nil
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate),
				},
			},
		}},
	})
}

// TestAccServer_passwordWriteOnly sets the password through the write-only attribute, proves it never
// reaches state, and rotates it by bumping the version: the new password works, the old one no longer does.
func TestAccServer_passwordWriteOnly(t *testing.T) {
	name := acctest.RandomName("wo")
	const login, first, second = "pgadmin", "First-Passw0rd!", "Second-Passw0rd!"
	config := func(password string, version int) string {
		return testAccServerHCL(name, map[string]string{"administrator_password": ""}, fmt.Sprintf(
			"administrator_password_wo = %q\n  administrator_password_wo_version = %d", password, version)) +
			testAccOpenFirewallHCL()
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: config(first, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password"), knownvalue.Null()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("administrator_password_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: acctest.CheckAdminLogin(serverAddr, login, first, true),
			},
			{
				// A new value with the same version is not sent: the version is the only trigger.
				Config: config(second, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: acctest.CheckAdminLogin(serverAddr, login, first, true),
			},
			{
				Config: config(second, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.CheckAdminLogin(serverAddr, login, second, true),
					acctest.CheckAdminLogin(serverAddr, login, first, false),
				),
			},
		},
	})
}

// testAccServerHCL is serverHCL (see plan_validation_test.go) for a server named name.
func testAccServerHCL(name string, overrides map[string]string, extra string) string {
	attrs := map[string]string{"name": fmt.Sprintf("%q", name)}
	for k, v := range overrides {
		attrs[k] = v
	}
	return serverHCL(attrs, extra)
}

// testAccOpenFirewallHCL admits this machine (127.0.0.1) to the test server: no rule means no access.
func testAccOpenFirewallHCL() string {
	return `
resource "flexpg_firewall_rule" "local" {
  name             = "local"
  server_id        = flexpg_server.test.id
  start_ip_address = "127.0.0.1"
  end_ip_address   = "127.0.0.1"
}
`
}
