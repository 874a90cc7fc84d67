package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The validators are called directly, the way the framework calls them, so these tests prove both the rule
// (via spec) and the plumbing: which path the diagnostic lands on and what it says.

func TestStringValidators(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		validator validator.String
		path      path.Path
		value     types.String
		wantError string // substring of the detail; "" means valid
	}{
		{"server name ok", ServerName(), path.Root("name"), types.StringValue("my-server-1"), ""},
		{"server name uppercase", ServerName(), path.Root("name"), types.StringValue("MyServer"), "lowercase letters"},
		{"server name too short", ServerName(), path.Root("name"), types.StringValue("ab"), "3 to 63 characters"},
		{"server name trailing hyphen", ServerName(), path.Root("name"), types.StringValue("abc-"), "start and end"},
		{"server name null skipped", ServerName(), path.Root("name"), types.StringNull(), ""},
		{"server name unknown skipped", ServerName(), path.Root("name"), types.StringUnknown(), ""},
		{"location ok", Location(), path.Root("location"), types.StringValue("westeurope"), ""},
		{"location display name", Location(), path.Root("location"), types.StringValue("West Europe"), "catalog region"},
		{"version ok", Version(), path.Root("version"), types.StringValue("15"), ""},
		{"version unsupported", Version(), path.Root("version"), types.StringValue("9.6"), "must be one of 15, 17"},
		{"sku ok", SKUName(), path.Root("sku_name"), types.StringValue("GP_Standard_D2s_v3"), ""},
		{"sku wrong case", SKUName(), path.Root("sku_name"), types.StringValue("gp_standard_d2s_v3"), "did you mean GP_Standard_D2s_v3"},
		{"tier ok", StorageTier(), path.Root("storage_tier"), types.StringValue("P80"), ""},
		{"tier unknown name", StorageTier(), path.Root("storage_tier"), types.StringValue("P5"), "must be one of P4"},
		{"login ok", AdministratorLogin(), path.Root("administrator_login"), types.StringValue("pgadmin"), ""},
		{"login reserved", AdministratorLogin(), path.Root("administrator_login"), types.StringValue("Azure_Superuser"), "reserved"},
		{"login pg_ prefix", AdministratorLogin(), path.Root("administrator_login"), types.StringValue("pg_x"), "must not start with pg_"},
		{"password ok", Password("administrator_password"), path.Root("administrator_password"), types.StringValue("Str0ng-pass"), ""},
		{"password weak", Password("administrator_password"), path.Root("administrator_password"), types.StringValue("password"), "at least 3"},
		{"wo password names its field", Password("administrator_password_wo"), path.Root("administrator_password_wo"), types.StringValue("short"), "administrator_password_wo must be"},
		{"ha mode ok", HAMode(), path.Root("high_availability").AtName("mode"), types.StringValue("SameZone"), ""},
		{"ha mode bad", HAMode(), path.Root("high_availability").AtName("mode"), types.StringValue("Disabled"), "ZoneRedundant, SameZone"},
		{"state bad", State(), path.Root("state"), types.StringValue("Running"), "Ready, Stopped"},
		{"create mode bad", CreateMode(), path.Root("create_mode"), types.StringValue("Replica"), "Default, PointInTimeRestore"},
		{"server id ok", ServerID("server_id"), path.Root("server_id"), types.StringValue("/flexibleServers/db1"), ""},
		{"server id bare name", ServerID("server_id"), path.Root("server_id"), types.StringValue("db1"), "server_id must be a server ID"},
		{"firewall name ok", FirewallRuleName(), path.Root("name"), types.StringValue("office.v4_1-a"), ""},
		{"firewall name space", FirewallRuleName(), path.Root("name"), types.StringValue("my office"), "letters, digits"},
		{"start ip ok", StartIPAddress(), path.Root("start_ip_address"), types.StringValue("10.0.0.1"), ""},
		{"start ip v6", StartIPAddress(), path.Root("start_ip_address"), types.StringValue("::1"), "IPv6 addresses are not supported"},
		{"end ip ok", EndIPAddress(), path.Root("end_ip_address"), types.StringValue("255.255.255.255"), ""},
		{"end ip garbage", EndIPAddress(), path.Root("end_ip_address"), types.StringValue("10.0.0"), "dotted-quad"},
		{"database name ok", DatabaseName(), path.Root("name"), types.StringValue("app_db"), ""},
		{"database reserved", DatabaseName(), path.Root("name"), types.StringValue("template1"), "reserved"},
		{"charset any case", Charset(), path.Root("charset"), types.StringValue("utf8"), ""},
		{"charset client-only", Charset(), path.Root("charset"), types.StringValue("SJIS"), "must be one of"},
		{"collation ok", Collation(), path.Root("collation"), types.StringValue("C"), ""},
		{"collation missing locale", Collation(), path.Root("collation"), types.StringValue("de_DE.utf8"), "must be one of"},
		{"parameter ok", ParameterName(), path.Root("name"), types.StringValue("ssl_min_protocol_version"), ""},
		{"parameter unknown", ParameterName(), path.Root("name"), types.StringValue("no_such_param"), "not a server parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validator.StringRequest{Path: tt.path, PathExpression: tt.path.Expression(), ConfigValue: tt.value}
			resp := &validator.StringResponse{}
			tt.validator.ValidateString(ctx, req, resp)
			assertDiagnostic(t, resp.Diagnostics.Errors(), tt.path, tt.wantError)
		})
	}
}

func TestInt64Validators(t *testing.T) {
	ctx := context.Background()
	mw := path.Root("maintenance_window")
	tests := []struct {
		name      string
		validator validator.Int64
		path      path.Path
		value     types.Int64
		wantError string
	}{
		{"storage ok", StorageMB(), path.Root("storage_mb"), types.Int64Value(65536), ""},
		{"storage not a size", StorageMB(), path.Root("storage_mb"), types.Int64Value(50000), "must be one of 32768"},
		{"retention 7", BackupRetentionDays(), path.Root("backup_retention_days"), types.Int64Value(7), ""},
		{"retention 35", BackupRetentionDays(), path.Root("backup_retention_days"), types.Int64Value(35), ""},
		{"retention 6", BackupRetentionDays(), path.Root("backup_retention_days"), types.Int64Value(6), "between 7 and 35"},
		{"retention 36", BackupRetentionDays(), path.Root("backup_retention_days"), types.Int64Value(36), "between 7 and 35"},
		{"retention null", BackupRetentionDays(), path.Root("backup_retention_days"), types.Int64Null(), ""},
		{"day 6", MaintenanceDayOfWeek(), mw.AtName("day_of_week"), types.Int64Value(6), ""},
		{"day 7", MaintenanceDayOfWeek(), mw.AtName("day_of_week"), types.Int64Value(7), "between 0 and 6"},
		{"hour 23", MaintenanceStartHour(), mw.AtName("start_hour"), types.Int64Value(23), ""},
		{"hour 24", MaintenanceStartHour(), mw.AtName("start_hour"), types.Int64Value(24), "maintenance_window.start_hour must be between 0 and 23"},
		{"minute -1", MaintenanceStartMinute(), mw.AtName("start_minute"), types.Int64Value(-1), "between 0 and 59"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validator.Int64Request{Path: tt.path, PathExpression: tt.path.Expression(), ConfigValue: tt.value}
			resp := &validator.Int64Response{}
			tt.validator.ValidateInt64(ctx, req, resp)
			assertDiagnostic(t, resp.Diagnostics.Errors(), tt.path, tt.wantError)
		})
	}
}

// TestDescriptionsComeFromSpec checks that the documented allowed values are the validator's own list.
func TestDescriptionsComeFromSpec(t *testing.T) {
	ctx := context.Background()
	for name, tt := range map[string]struct {
		got  string
		want []string
	}{
		"version":   {Version().MarkdownDescription(ctx), []string{"`15`", "`17`"}},
		"storage":   {StorageMB().MarkdownDescription(ctx), []string{"`32768`", "`33553408`"}},
		"ha mode":   {HAMode().MarkdownDescription(ctx), []string{"`ZoneRedundant`", "`SameZone`"}},
		"login":     {AdministratorLogin().MarkdownDescription(ctx), []string{"`azure_superuser`", "`pg_`"}},
		"retention": {BackupRetentionDays().MarkdownDescription(ctx), []string{"7", "35"}},
	} {
		for _, w := range tt.want {
			if !strings.Contains(tt.got, w) {
				t.Errorf("%s: description %q does not mention %s", name, tt.got, w)
			}
		}
	}
}

type diagnostic interface {
	Detail() string
}

func assertDiagnostic[D diagnostic](t *testing.T, errs []D, wantPath path.Path, wantError string) {
	t.Helper()
	if wantError == "" {
		if len(errs) != 0 {
			t.Fatalf("want no error, got %d: %s", len(errs), errs[0].Detail())
		}
		return
	}
	if len(errs) != 1 {
		t.Fatalf("want 1 error containing %q, got %d", wantError, len(errs))
	}
	withPath, ok := any(errs[0]).(interface{ Path() path.Path })
	if !ok {
		t.Fatalf("error has no attribute path: %s", errs[0].Detail())
	}
	if !withPath.Path().Equal(wantPath) {
		t.Errorf("error on path %s, want %s", withPath.Path(), wantPath)
	}
	if !strings.Contains(errs[0].Detail(), wantError) {
		t.Errorf("error %q does not contain %q", errs[0].Detail(), wantError)
	}
}
