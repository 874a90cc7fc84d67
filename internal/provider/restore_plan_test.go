package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Plan-time rules of flexpg_server's create modes, with no cloud at all (see plan_validation_test.go).

const restoreAddr = "flexpg_server.restored"

// restoreHCL renders a point-in-time restore of /flexibleServers/plan-src that names nothing the restore
// takes from its source; overrides replace (or, with "", remove) attributes and extra adds lines.
func restoreHCL(overrides map[string]string, extra string) string {
	return blockHCL(`resource "flexpg_server" "restored"`, map[string]string{
		"name":                              `"plan-restored"`,
		"location":                          `"westeurope"`,
		"create_mode":                       `"PointInTimeRestore"`,
		"source_server_id":                  `"/flexibleServers/plan-src"`,
		"point_in_time_restore_time_in_utc": `"2026-12-01T10:00:00.250Z"`,
	}, overrides, extra)
}

func TestPlanTimeRestoreValidation(t *testing.T) {
	runPlanErrorCases(t, []planErrorCase{
		{"sku missing in Default mode", serverHCL(map[string]string{"sku_name": ""}, ""),
			`sku_name is required when create_mode is Default \(or unset\): set the compute size, such as B_Standard_B1ms`},
		{"sku missing with create_mode Default", serverHCL(map[string]string{"sku_name": "", "create_mode": `"Default"`}, ""),
			`sku_name is required when create_mode is Default`},
		{"restore without a source", restoreHCL(map[string]string{"source_server_id": ""}, ""),
			`source_server_id is required when create_mode is PointInTimeRestore`},
		{"restore without a time", restoreHCL(map[string]string{"point_in_time_restore_time_in_utc": ""}, ""),
			`point_in_time_restore_time_in_utc is required when create_mode is PointInTimeRestore`},
		{"restore time not RFC 3339", restoreHCL(map[string]string{"point_in_time_restore_time_in_utc": `"2026-12-01 10:00"`}, ""),
			`point_in_time_restore_time_in_utc = "2026-12-01 10:00"[\s\S]*must be an RFC 3339 time such as 2025-01-31T12:00:00Z`},
		{"source not a server ID", restoreHCL(map[string]string{"source_server_id": `"plan-src"`}, ""),
			`source_server_id\s+= "plan-src"[\s\S]*must be a server ID of the form /flexibleServers/<name>`},
		{"geo-restore without a time", restoreHCL(map[string]string{"create_mode": `"GeoRestore"`,
			"point_in_time_restore_time_in_utc": "", "location": `"northeurope"`}, ""),
			`point_in_time_restore_time_in_utc is required when create_mode is GeoRestore`},
		{"restore with high availability", restoreHCL(map[string]string{"sku_name": `"GP_Standard_D2s_v3"`},
			"high_availability {\n    mode = \"SameZone\"\n  }"),
			`mode = "SameZone"[\s\S]*cannot be set when the server is created with create_mode PointInTimeRestore: a restore creates a standalone server`},
		{"restore arguments in Default mode", serverHCL(map[string]string{"source_server_id": `"/flexibleServers/plan-src"`}, ""),
			`source_server_id = "/flexibleServers/plan-src"[\s\S]*is only used with create_mode PointInTimeRestore or GeoRestore`},
	})
}

// TestPlanTimeRestoreAttributePaths validates through the provider's protocol, as Terraform does, and checks
// that each create-mode rule is reported on its own attribute, also where the attribute is missing (no line
// of configuration to quote).
func TestPlanTimeRestoreAttributePaths(t *testing.T) {
	v := newProtocolValidator(t)
	at := func(name string) *tftypes.AttributePath { return tftypes.NewAttributePath().WithAttributeName(name) }
	restore := func(source, when string) map[string]tftypes.Value {
		return map[string]tftypes.Value{"name": str("plan-restored"), "location": str("westeurope"),
			"create_mode": str(spec.CreateModePointInTimeRestore), "source_server_id": optionalStr(source),
			"point_in_time_restore_time_in_utc": optionalStr(when)}
	}
	tests := []struct {
		name    string
		set     map[string]tftypes.Value
		want    *tftypes.AttributePath
		message string
	}{
		{"sku missing in Default mode", map[string]tftypes.Value{"name": str("plan-test"), "location": str("westeurope"),
			"administrator_login": str("pgadmin"), "administrator_password": str("Str0ng-Passw0rd!")},
			at("sku_name"), "is required when create_mode is Default"},
		{"no source", restore("", "2026-12-01T10:00:00Z"), at("source_server_id"), "is required when create_mode is PointInTimeRestore"},
		{"no time", restore("/flexibleServers/plan-src", ""), at("point_in_time_restore_time_in_utc"), "is required when create_mode is PointInTimeRestore"},
		{"bad time", restore("/flexibleServers/plan-src", "tomorrow"), at("point_in_time_restore_time_in_utc"), "must be an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectDiagnosticAt(t, v.validate(t, "flexpg_server", tt.set), tt.want, tt.message)
		})
	}
	// A restore that names nothing it takes from its source is valid.
	if diags := v.validate(t, "flexpg_server", restore("/flexibleServers/plan-src", "2026-12-01T10:00:00Z")); len(diags) != 0 {
		t.Errorf("a restore without sku_name, login and password: %v", diags)
	}
}

// TestPlanRestoreFromSource plans a source server and its point-in-time restore, with no cloud: the restore
// names no SKU, login or password, and what it takes from its source (SKU, version, storage and its tier,
// admin login) is left to the cloud instead of planned with the creation defaults.
func TestPlanRestoreFromSource(t *testing.T) {
	config := serverBlockHCL("source", map[string]string{"name": `"plan-src"`}, "") + restoreHCL(map[string]string{
		"source_server_id": "flexpg_server.source.id",
	}, "")
	expectPlan(t, config,
		plancheck.ExpectResourceAction(restoreAddr, plancheck.ResourceActionCreate),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("create_mode"), knownvalue.StringExact(spec.CreateModePointInTimeRestore)),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("point_in_time_restore_time_in_utc"), knownvalue.StringExact("2026-12-01T10:00:00.250Z")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("source_server_id")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("sku_name")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("version")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("storage_mb")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("storage_tier")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("administrator_login")),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("administrator_password"), knownvalue.Null()),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("earliest_restore_time")),
		// A point-in-time restore of a private server is private in its subnet: the cloud decides.
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("delegated_subnet_id")),
		plancheck.ExpectUnknownValue(restoreAddr, tfjsonpath.New("public_network_access_enabled")),
		plancheck.ExpectKnownValue("flexpg_server.source", tfjsonpath.New("delegated_subnet_id"), knownvalue.Null()),
		plancheck.ExpectKnownValue("flexpg_server.source", tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(true)),
		// The source, a Default create, gets the creation defaults as before.
		plancheck.ExpectKnownValue("flexpg_server.source", tfjsonpath.New("version"), knownvalue.StringExact(spec.DefaultVersion)),
		plancheck.ExpectKnownValue("flexpg_server.source", tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(spec.DefaultStorageMB)),
	)
	// A geo-restore lands in another region: without a subnet it is public, as planned.
	expectPlan(t, restoreHCL(map[string]string{"create_mode": `"GeoRestore"`, "location": `"northeurope"`}, ""),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.Null()),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(true)),
	)
	// Values a restore may repeat or raise are planned as configured.
	expectPlan(t, restoreHCL(map[string]string{"version": `"15"`, "storage_mb": "65536", "sku_name": `"GP_Standard_D2s_v3"`}, ""),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("version"), knownvalue.StringExact("15")),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("storage_mb"), knownvalue.Int64Exact(65536)),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("storage_tier"), knownvalue.StringExact("P6")),
		plancheck.ExpectKnownValue(restoreAddr, tfjsonpath.New("sku_name"), knownvalue.StringExact("GP_Standard_D2s_v3")),
	)
}
