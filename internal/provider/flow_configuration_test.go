package provider_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
)

// TestFlowConfiguration_canonicalSpelling: the cloud stores and reports "off" for the "FALSE" a user wrote
// (and "100" for "0100"). The apply keeps the user's spelling, the next plan is empty, and a real change made
// behind Terraform's back still shows as drift.
func TestFlowConfiguration_canonicalSpelling(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	addr := "flexpg_server_configuration.log"
	config := flowServerHCL(c, nil, "") + `
resource "flexpg_server_configuration" "log" {
  name      = "log_connections"
  server_id = flexpg_server.test.id
  value     = "FALSE"
}

resource "flexpg_server_configuration" "connections" {
  name      = "max_connections"
  server_id = flexpg_server.test.id
  value     = "0100"
}
`
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("FALSE")),
				statecheck.ExpectKnownValue("flexpg_server_configuration.connections", tfjsonpath.New("value"), knownvalue.StringExact("0100")),
			},
			Check: resource.ComposeTestCheckFunc(
				checkCloud(func() error { return wantParameter(c, "log_connections", "off", "user-override") }),
				checkCloud(func() error { return wantParameter(c, "max_connections", "100", "user-override") }),
			),
		},
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		},
		resource.TestStep{
			// Someone turns it back on outside Terraform: that is a difference, and the apply restores off.
			PreConfig: func() {
				ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
				defer cancel()
				op, err := c.Client().PutConfiguration(ctx, flowServer, "log_connections", "on")
				if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("flexpg_server_configuration.connections", plancheck.ResourceActionNoop),
			}},
			Check: checkCloud(func() error { return wantParameter(c, "log_connections", "off", "user-override") }),
		},
	))
}
