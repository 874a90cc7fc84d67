package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
)

// These tests run `terraform plan` against the in-process provider with no cloud at all (no TF_ACC): the
// client is created lazily, so planning new resources must never reach the API. Each bad configuration
// must fail at plan time, on the attribute that breaks the rule (the source line Terraform quotes), with
// the rule's message.

// planErrorCase is a configuration that must fail at plan time. want matches the error output; the
// attribute's source line is part of it, which proves the diagnostic is attached to that attribute.
type planErrorCase struct {
	name, config, want string
}

func TestPlanTimeValidation(t *testing.T) {
	runPlanErrorCases(t, []planErrorCase{
		{"bad name", serverHCL(map[string]string{"name": `"Bad_Name"`}, ""),
			`name\s+= "Bad_Name"[\s\S]*may contain only lowercase letters`},
		{"unknown location", serverHCL(map[string]string{"location": `"moon"`}, ""),
			`location\s+= "moon"[\s\S]*must be the short name of a catalog region`},
		{"bad version", serverHCL(map[string]string{"version": `"16"`}, ""),
			`version\s+= "16"[\s\S]*version must be one of 15, 17`},
		{"bad sku", serverHCL(map[string]string{"sku_name": `"GP_Standard_D3s_v3"`}, ""),
			`sku_name\s+= "GP_Standard_D3s_v3"[\s\S]*must be a catalog SKU`},
		{"storage not a size", serverHCL(map[string]string{"storage_mb": "50000"}, ""),
			`storage_mb\s+= 50000[\s\S]*storage_mb must be one of 32768, 65536`},
		{"tier invalid for size", serverHCL(map[string]string{"storage_mb": "65536", "storage_tier": `"P4"`}, ""),
			`storage_tier\s+= "P4"[\s\S]*P4 is not available for storage_mb 65536`},
		{"tier invalid for default size", serverHCL(map[string]string{"storage_tier": `"P60"`}, ""),
			`P60 is not available for storage_mb 32768`},
		{"retention 6", serverHCL(map[string]string{"backup_retention_days": "6"}, ""),
			`backup_retention_days\s+= 6[\s\S]*must be between 7 and 35`},
		{"retention 36", serverHCL(map[string]string{"backup_retention_days": "36"}, ""),
			`backup_retention_days\s+= 36[\s\S]*must be between 7 and 35`},
		{"reserved login", serverHCL(map[string]string{"administrator_login": `"azure_superuser"`}, ""),
			`administrator_login\s+= "azure_superuser"[\s\S]*reserved by the service`},
		{"pg_ login", serverHCL(map[string]string{"administrator_login": `"pg_x"`}, ""),
			`administrator_login\s+= "pg_x"[\s\S]*must not start with pg_`},
		{"maintenance hour 24", serverHCL(nil, "maintenance_window {\n    day_of_week = 0\n    start_hour  = 24\n  }"),
			`start_hour\s+= 24[\s\S]*maintenance_window.start_hour must be between 0 and 23`},
		{"HA on Burstable", serverHCL(nil, "high_availability {\n    mode = \"SameZone\"\n  }"),
			`mode = "SameZone"[\s\S]*not available on the Burstable tier`},
		{"zone-redundant HA in a single-zone region",
			serverHCL(map[string]string{"location": `"westus"`, "sku_name": `"GP_Standard_D2s_v3"`}, "high_availability {\n    mode = \"ZoneRedundant\"\n  }"),
			`mode = "ZoneRedundant"[\s\S]*ZoneRedundant is not available in region westus`},
		{"unknown HA mode", serverHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`}, "high_availability {\n    mode = \"Disabled\"\n  }"),
			`mode = "Disabled"[\s\S]*high_availability.mode must be one of ZoneRedundant, SameZone; got "Disabled"`},
		{"ZoneRedundant standby in the primary's zone", serverHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "zone": `"1"`},
			haTestBlock("ZoneRedundant", "1")),
			`standby_availability_zone = "1"[\s\S]*must differ from zone 1 for ZoneRedundant HA`},
		{"SameZone standby in another zone", serverHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`, "zone": `"1"`},
			haTestBlock("SameZone", "2")),
			`standby_availability_zone = "2"[\s\S]*must equal zone 1 for SameZone HA`},
		{"standby zone not in the region", serverHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`}, haTestBlock("ZoneRedundant", "4")),
			`standby_availability_zone = "4"[\s\S]*must be one of the availability zones of region westeurope`},
		{"two HA blocks", serverHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`},
			"high_availability {\n    mode = \"SameZone\"\n  }\n  high_availability {\n    mode = \"SameZone\"\n  }"),
			`high_availability[\s\S]*at most 1`},
		{"zone not in region", serverHCL(map[string]string{"zone": `"4"`}, ""),
			`zone\s+= "4"[\s\S]*must be one of the availability zones of region westeurope`},
		{"login missing in Default mode", serverHCL(map[string]string{"administrator_login": ""}, ""),
			`administrator_login is required when create_mode is Default`},
		{"password and write-only password", serverHCL(nil, `administrator_password_wo = "Str0ng-Passw0rd!"
  administrator_password_wo_version = 1`), `"administrator_password_wo" cannot be specified when`},
		{"write-only password without version", serverHCL(map[string]string{"administrator_password": ""},
			`administrator_password_wo = "Str0ng-Passw0rd!"`), `administrator_password_wo_version`},
		{"weak password", serverHCL(map[string]string{"administrator_password": `"password"`}, ""),
			`administrator_password must contain characters from at least 3`},
		{"private server with public access", serverHCL(map[string]string{"public_network_access_enabled": "true"},
			`delegated_subnet_id = "/virtualNetworks/vnet1/subnets/db"
  private_dns_zone_id = "/privateDnsZones/db.postgres.flexpg.internal"`),
			`public_network_access_enabled must be false for a private-access server`},
		{"firewall IPv6", firewallRuleHCL("::1", "::2"),
			`start_ip_address\s+= "::1"[\s\S]*IPv6 addresses are not supported`},
		{"firewall start after end", firewallRuleHCL("10.0.0.9", "10.0.0.1"),
			`end_ip_address\s+= "10.0.0.1"[\s\S]*must not be lower than start_ip_address 10.0.0.9`},
		{"configuration TLSv1.1", configurationHCL("ssl_min_protocol_version", "TLSv1.1"),
			`value\s+= "TLSv1.1"[\s\S]*for ssl_min_protocol_version must be one of`},
		{"configuration unknown parameter", configurationHCL("no_such_parameter", "1"),
			`name\s+= "no_such_parameter"[\s\S]*is not a server parameter`},
		{"database UTF-8 collation with LATIN1", databaseHCL(`charset = "LATIN1"`),
			`collation en_US.utf8 is a UTF-8 collation and needs charset UTF8`},
	})
}

// runPlanErrorCases plans each case, in parallel, and requires its error.
func runPlanErrorCases(t *testing.T, tests []planErrorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps: []resource.TestStep{{
					Config:      tt.config,
					PlanOnly:    true,
					ExpectError: wrapTolerant(tt.want),
				}},
			})
		})
	}
}

// wrapTolerant compiles an error pattern whose spaces also match the line breaks Terraform inserts when it
// wraps long diagnostic text.
func wrapTolerant(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// TestPlanValidConfiguration plans a server with every child resource and checks the planned values the
// provider decides before apply: defaults, the storage tier that follows the size, public access. It needs
// no cloud: this is the lazy client at work.
func TestPlanValidConfiguration(t *testing.T) {
	// No endpoint, and a fresh home for the local cloud (FLEXPG_HOME, see internal/cloud/local): if planning
	// reached for the cloud, the provider would start a local one there.
	home := t.TempDir()
	t.Setenv("FLEXPG_HOME", home)
	t.Setenv(provider.EnvEndpoint, "")
	t.Setenv(provider.EnvToken, "")
	t.Cleanup(func() {
		if entries, err := os.ReadDir(home); err != nil || len(entries) != 0 {
			t.Errorf("planning touched the local cloud's home (%d entries, err %v); the client must be lazy", len(entries), err)
		}
	})
	config := serverHCL(map[string]string{"storage_mb": "65536"}, `maintenance_window {
    day_of_week = 3
    start_hour  = 2
  }
  tags = { env = "test" }`) + `
resource "flexpg_firewall_rule" "test" {
  name             = "office"
  server_id        = flexpg_server.test.id
  start_ip_address = "10.0.0.1"
  end_ip_address   = "10.0.0.255"
}

resource "flexpg_server_configuration" "test" {
  name      = "ssl_min_protocol_version"
  server_id = flexpg_server.test.id
  value     = "TLSv1.3"
}

resource "flexpg_database" "test" {
  name      = "app"
  server_id = flexpg_server.test.id
  charset   = "utf8"
}
`
	server := "flexpg_server.test"
	expectPlan(t, config,
		plancheck.ExpectResourceAction(server, plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction("flexpg_firewall_rule.test", plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction("flexpg_server_configuration.test", plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction("flexpg_database.test", plancheck.ResourceActionCreate),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(65536)),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P6")),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("version"), knownvalue.StringExact("17")),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("state"), knownvalue.StringExact("Ready")),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("backup_retention_days"), knownvalue.Int64Exact(7)),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("auto_grow_enabled"), knownvalue.Bool(false)),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(true)),
		plancheck.ExpectKnownValue(server, tfjsonpath.New("maintenance_window").AtSliceIndex(0).AtMapKey("start_minute"), knownvalue.Int64Exact(0)),
		plancheck.ExpectUnknownValue(server, tfjsonpath.New("fqdn")),
		plancheck.ExpectUnknownValue(server, tfjsonpath.New("zone")),
		plancheck.ExpectKnownValue("flexpg_database.test", tfjsonpath.New("collation"), knownvalue.StringExact("en_US.utf8")),
	)
}

// TestPlanPrivateServerDefaults checks that a private-access server plans public access off.
func TestPlanPrivateServerDefaults(t *testing.T) {
	config := serverHCL(nil, `delegated_subnet_id = "/virtualNetworks/vnet1/subnets/db"
  private_dns_zone_id = "/privateDnsZones/db.postgres.flexpg.internal"`)
	expectPlan(t, config,
		plancheck.ExpectKnownValue("flexpg_server.test", tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
		plancheck.ExpectKnownValue("flexpg_server.test", tfjsonpath.New("storage_tier"), knownvalue.StringExact("P4")),
	)
}

// expectPlan plans config with no cloud and runs checks on the plan.
func expectPlan(t *testing.T, config string, checks ...plancheck.PlanCheck) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: checks},
		}},
	})
}

// serverHCL renders a valid Burstable server; overrides replace (or, with "", remove) attributes and extra
// adds lines.
func serverHCL(overrides map[string]string, extra string) string {
	return serverBlockHCL("test", overrides, extra)
}

// serverBlockHCL is serverHCL for the flexpg_server labelled label.
func serverBlockHCL(label string, overrides map[string]string, extra string) string {
	return blockHCL(fmt.Sprintf("resource \"flexpg_server\" %q", label), map[string]string{
		"name":                   `"plan-test"`,
		"location":               `"westeurope"`,
		"sku_name":               `"B_Standard_B1ms"`,
		"administrator_login":    `"pgadmin"`,
		"administrator_password": `"Str0ng-Passw0rd!"`,
	}, overrides, extra)
}

// blockHCL renders a block with the attributes attrs, changed by overrides (a "" value removes one), sorted
// so the output is stable, followed by the lines extra.
func blockHCL(header string, attrs, overrides map[string]string, extra string) string {
	for k, v := range overrides {
		if v == "" {
			delete(attrs, k)
			continue
		}
		attrs[k] = v
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(header + " {\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = %s\n", k, attrs[k])
	}
	if extra != "" {
		b.WriteString("  " + extra + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func firewallRuleHCL(start, end string) string {
	return serverHCL(nil, "") + fmt.Sprintf(`
resource "flexpg_firewall_rule" "test" {
  name             = "office"
  server_id        = flexpg_server.test.id
  start_ip_address = %[1]q
  end_ip_address   = %[2]q
}
`, start, end)
}

func configurationHCL(name, value string) string {
	return serverHCL(nil, "") + fmt.Sprintf(`
resource "flexpg_server_configuration" "test" {
  name      = %[1]q
  server_id = flexpg_server.test.id
  value     = %[2]q
}
`, name, value)
}

func databaseHCL(extra string) string {
	return serverHCL(nil, "") + fmt.Sprintf(`
resource "flexpg_database" "test" {
  name      = "app"
  server_id = flexpg_server.test.id
  %s
}
`, extra)
}

// haTestBlock is a high_availability block with mode and standby_availability_zone.
func haTestBlock(mode, standby string) string {
	return fmt.Sprintf("high_availability {\n    mode                      = %q\n    standby_availability_zone = %q\n  }", mode, standby)
}

// TestPlanTimeHAAttributePaths validates flexpg_server configurations through the provider's protocol, as
// Terraform does, and checks the attribute path of each HA refusal: Terraform quotes the line of that path,
// so the error must sit on high_availability[0].mode or high_availability[0].standby_availability_zone,
// never on the block or the resource.
func TestPlanTimeHAAttributePaths(t *testing.T) {
	v := newProtocolValidator(t)
	typ := v.types["flexpg_server"]
	haType := typ.AttributeTypes["high_availability"].(tftypes.List)
	modePath := tftypes.NewAttributePath().WithAttributeName("high_availability").WithElementKeyInt(0).WithAttributeName("mode")
	standbyPath := tftypes.NewAttributePath().WithAttributeName("high_availability").WithElementKeyInt(0).WithAttributeName("standby_availability_zone")
	tests := []struct {
		name                string
		location, sku, zone string
		mode, standby       string
		want                *tftypes.AttributePath
		message             string
	}{
		{"HA on Burstable", "westeurope", "B_Standard_B1ms", "", "SameZone", "", modePath, "not available on the Burstable tier"},
		{"ZoneRedundant in a single-zone region", "westus", "GP_Standard_D2s_v3", "", "ZoneRedundant", "", modePath, "ZoneRedundant is not available in region westus"},
		{"unknown mode", "westeurope", "GP_Standard_D2s_v3", "", "Disabled", "", modePath, "must be one of ZoneRedundant, SameZone"},
		{"ZoneRedundant standby in the primary's zone", "westeurope", "GP_Standard_D2s_v3", "1", "ZoneRedundant", "1", standbyPath, "must differ from zone 1"},
		{"SameZone standby in another zone", "westeurope", "GP_Standard_D2s_v3", "1", "SameZone", "2", standbyPath, "must equal zone 1"},
		{"standby zone not in the region", "westeurope", "GP_Standard_D2s_v3", "", "ZoneRedundant", "4", standbyPath, "availability zones of region westeurope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := v.validate(t, "flexpg_server", map[string]tftypes.Value{
				"name": str("plan-test"), "location": str(tt.location), "sku_name": str(tt.sku), "zone": optionalStr(tt.zone),
				"administrator_login": str("pgadmin"), "administrator_password": str("Str0ng-Passw0rd!"),
				"high_availability": tftypes.NewValue(haType, []tftypes.Value{tftypes.NewValue(haType.ElementType, map[string]tftypes.Value{
					"mode": str(tt.mode), "standby_availability_zone": optionalStr(tt.standby),
				})}),
				"maintenance_window": tftypes.NewValue(typ.AttributeTypes["maintenance_window"], []tftypes.Value{}),
			})
			expectDiagnosticAt(t, diags, tt.want, tt.message)
		})
	}
}

// protocolValidator validates resource configurations through the provider's protocol, as Terraform does.
type protocolValidator struct {
	server tfprotov6.ProviderServer
	types  map[string]tftypes.Object // each resource type's value type
}

func newProtocolValidator(t *testing.T) protocolValidator {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	v := protocolValidator{server: server, types: map[string]tftypes.Object{}}
	for name, s := range schemas.ResourceSchemas {
		v.types[name] = s.ValueType().(tftypes.Object)
	}
	return v
}

// validate validates a configuration of typeName in which the attributes of set have their values and every
// other attribute is null, and returns the diagnostics.
func (v protocolValidator) validate(t *testing.T, typeName string, set map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	typ := v.types[typeName]
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
		if val, ok := set[name]; ok {
			values[name] = val
		}
	}
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := v.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: &config})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// expectDiagnosticAt requires a diagnostic on the attribute path want whose detail says message.
func expectDiagnosticAt(t *testing.T, diags []*tfprotov6.Diagnostic, want *tftypes.AttributePath, message string) {
	t.Helper()
	var got []string
	for _, d := range diags {
		if d.Attribute != nil && d.Attribute.Equal(want) && strings.Contains(d.Detail, message) {
			return
		}
		got = append(got, fmt.Sprintf("%v: %s", d.Attribute, d.Detail))
	}
	t.Errorf("no error on %v saying %q; got %q", want, message, got)
}

func str(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }

// optionalStr is a string value, or null for "".
func optionalStr(v string) tftypes.Value {
	if v == "" {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return str(v)
}
