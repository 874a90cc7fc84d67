package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const firewallRuleAddr = "flexpg_firewall_rule.test"

func TestAccFirewallRule_basic(t *testing.T) {
	server := acctest.RandomName("fw")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: testAccFirewallRuleHCL(server, "office", "10.0.0.1", "10.0.0.255"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.FirewallRuleID(server, "office"))),
				statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("server_id"), knownvalue.StringExact(spec.ServerID(server))),
				statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("start_ip_address"), knownvalue.StringExact("10.0.0.1")),
				statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("end_ip_address"), knownvalue.StringExact("10.0.0.255")),
			},
		}},
	})
}

// TestAccFirewallRule_update changes the range in place and then renames the rule, which replaces it.
func TestAccFirewallRule_update(t *testing.T) {
	server := acctest.RandomName("fw")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:            testAccFirewallRuleHCL(server, "office", "10.0.0.1", "10.0.0.255"),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(firewallRuleAddr, tfjsonpath.New("id"))},
			},
			{
				Config: testAccFirewallRuleHCL(server, "office", "10.0.0.1", "10.0.1.255"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(firewallRuleAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(firewallRuleAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("end_ip_address"), knownvalue.StringExact("10.0.1.255")),
				},
			},
			{
				Config: testAccFirewallRuleHCL(server, "branch", "10.0.0.1", "10.0.1.255"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(firewallRuleAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: acctest.CheckFirewallRuleDestroyed(server, "office"),
			},
		},
	})
}

func TestAccFirewallRule_import(t *testing.T) {
	server := acctest.RandomName("fw")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: testAccFirewallRuleHCL(server, "cloud-services", "0.0.0.0", "0.0.0.0")},
			{
				ResourceName:      firewallRuleAddr,
				ImportState:       true,
				ImportStateId:     spec.FirewallRuleID(server, "cloud-services"),
				ImportStateVerify: true,
			},
		},
	})
}

func testAccFirewallRuleHCL(server, name, start, end string) string {
	return testAccServerHCL(server, nil, "") + fmt.Sprintf(`
resource "flexpg_firewall_rule" "test" {
  name             = %[1]q
  server_id        = flexpg_server.test.id
  start_ip_address = %[2]q
  end_ip_address   = %[3]q
}
`, name, start, end)
}
