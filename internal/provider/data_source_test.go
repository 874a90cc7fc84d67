package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestAccServerDataSource_basic reads a server back by name; every attribute matches the resource's.
func TestAccServerDataSource_basic(t *testing.T) {
	name := acctest.RandomName("ds")
	const dataAddr = "data.flexpg_server.test"
	same := func(attr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(serverAddr, tfjsonpath.New(attr), dataAddr, tfjsonpath.New(attr), compare.ValuesSame())
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: testAccServerHCL(name, nil, `tags = { team = "data" }`) + `
data "flexpg_server" "test" {
  name = flexpg_server.test.name
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				same("id"), same("fqdn"), same("host"), same("port"), same("location"), same("zone"), same("version"),
				same("sku_name"), same("storage_mb"), same("storage_tier"), same("administrator_login"), same("state"),
				same("tags"), same("backup_retention_days"),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
					"team": knownvalue.StringExact("data"),
				})),
			},
		}},
	})
}

// TestAccServerDataSource_highAvailability reads a server with high availability: the data source reports
// its ha_state, where the primary (zone) and the standby (standby_zone) are, and after an on-demand failover
// where they are then. The resource leaves both zones to the cloud, so the failover is no drift.
func TestAccServerDataSource_highAvailability(t *testing.T) {
	name := acctest.RandomName("dsha")
	const dataAddr = "data.flexpg_server.test"
	config := testAccHAServerHCL(name, "", "", "") + `
data "flexpg_server" "test" {
  name = flexpg_server.test.name
}
`
	zoneMoved := statecheck.CompareValue(compare.ValuesDiffer())
	standbyMoved := statecheck.CompareValue(compare.ValuesDiffer())
	checks := func() []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for _, attr := range []string{"ha_state", "zone", "standby_zone", "high_availability"} {
			out = append(out, statecheck.CompareValuePairs(serverAddr, tfjsonpath.New(attr), dataAddr, tfjsonpath.New(attr), compare.ValuesSame()))
		}
		return append(out,
			statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("ha_state"), knownvalue.StringExact(spec.HAStateHealthy)),
			statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("standby_zone"), knownvalue.StringRegexp(regexp.MustCompile(`^[123]$`))),
			statecheck.CompareValuePairs(dataAddr, tfjsonpath.New("zone"), dataAddr, tfjsonpath.New("standby_zone"), compare.ValuesDiffer()),
			zoneMoved.AddStateValue(dataAddr, tfjsonpath.New("zone")),
			standbyMoved.AddStateValue(dataAddr, tfjsonpath.New("standby_zone")),
		)
	}
	resource.Test(t, accTestCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: checks()},
		resource.TestStep{
			PreConfig:         func() { failOverOnDemand(t, name, model.FailoverPlanned) },
			Config:            config,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: checks(),
		},
	))
}

func TestAccServerDataSource_notFound(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
data "flexpg_server" "test" {
  name = "` + acctest.RandomName("missing") + `"
}
`,
			ExpectError: regexp.MustCompile(`Server Not Found`),
		}},
	})
}

func TestAccCACertificateDataSource_basic(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `data "flexpg_ca_certificate" "test" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexpg_ca_certificate.test", tfjsonpath.New("certificate_pem"),
					knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$`))),
			},
		}},
	})
}
