package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const databaseAddr = "flexpg_database.test"

// TestAccDatabase_basic creates a database with the defaults, keeps a lower-case charset spelling without a
// diff, and replaces the database when its collation changes.
func TestAccDatabase_basic(t *testing.T) {
	server := acctest.RandomName("db")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccDatabaseHCL(server, "app", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.DatabaseID(server, "app"))),
					statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("charset"), knownvalue.StringExact("UTF8")),
					statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("collation"), knownvalue.StringExact("en_US.utf8")),
				},
			},
			{
				Config: testAccDatabaseHCL(server, "app", `charset = "utf8"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(databaseAddr, plancheck.ResourceActionNoop)},
				},
			},
			{
				Config: testAccDatabaseHCL(server, "app", `collation = "C"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(databaseAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("collation"), knownvalue.StringExact("C")),
				},
			},
		},
	})
}

func TestAccDatabase_import(t *testing.T) {
	server := acctest.RandomName("db")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: testAccDatabaseHCL(server, "orders", "")},
			{
				ResourceName:      databaseAddr,
				ImportState:       true,
				ImportStateId:     spec.DatabaseID(server, "orders"),
				ImportStateVerify: true,
			},
		},
	})
}

func testAccDatabaseHCL(server, name, extra string) string {
	return testAccServerHCL(server, nil, "") + fmt.Sprintf(`
resource "flexpg_database" "test" {
  name      = %[1]q
  server_id = flexpg_server.test.id
  %[2]s
}
`, name, extra)
}
