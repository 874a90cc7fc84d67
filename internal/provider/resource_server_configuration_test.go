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

// Parameters the test sets: one static (needs a restart) and one dynamic.
const (
	staticParameter  = "max_connections"
	dynamicParameter = "work_mem"
)

// TestAccConfiguration_basic sets a static parameter (the server restarts, so nothing stays pending) and a
// dynamic one, changes the dynamic one in place, and finally removes both: each is back at its default.
func TestAccConfiguration_basic(t *testing.T) {
	server := acctest.RandomName("cfg")
	staticAddr, dynamicAddr := "flexpg_server_configuration.static", "flexpg_server_configuration.dynamic"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccConfigurationHCL(server, "60", "8192"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(staticAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.ConfigurationID(server, staticParameter))),
					statecheck.ExpectKnownValue(staticAddr, tfjsonpath.New("value"), knownvalue.StringExact("60")),
					statecheck.ExpectKnownValue(dynamicAddr, tfjsonpath.New("value"), knownvalue.StringExact("8192")),
					sameID.AddStateValue(dynamicAddr, tfjsonpath.New("id")),
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.CheckConfigurationValue(server, staticParameter, "60"),
					acctest.CheckConfigurationValue(server, dynamicParameter, "8192"),
				),
			},
			{
				Config: testAccConfigurationHCL(server, "60", "16384"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(dynamicAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(staticAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(dynamicAddr, tfjsonpath.New("id"))},
				Check:             acctest.CheckConfigurationValue(server, dynamicParameter, "16384"),
			},
			{
				ResourceName:      staticAddr,
				ImportState:       true,
				ImportStateId:     spec.ConfigurationID(server, staticParameter),
				ImportStateVerify: true,
			},
			{
				// Destroying the configurations resets both parameters (the static one restarts the server again).
				Config: testAccServerHCL(server, nil, ""),
				Check: resource.ComposeTestCheckFunc(
					acctest.CheckConfigurationDefault(server, staticParameter),
					acctest.CheckConfigurationDefault(server, dynamicParameter),
				),
			},
		},
	})
}

func testAccConfigurationHCL(server, staticValue, dynamicValue string) string {
	return testAccServerHCL(server, nil, "") + fmt.Sprintf(`
resource "flexpg_server_configuration" "static" {
  name      = %[1]q
  server_id = flexpg_server.test.id
  value     = %[2]q
}

resource "flexpg_server_configuration" "dynamic" {
  name      = %[3]q
  server_id = flexpg_server.test.id
  value     = %[4]q
}
`, staticParameter, staticValue, dynamicParameter, dynamicValue)
}
