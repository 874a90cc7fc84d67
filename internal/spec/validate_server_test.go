package spec

import (
	"strings"
	"testing"
)

func TestValidateServerName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"pg1", ""},
		{"my-server-01", ""},
		{strings.Repeat("a", 63), ""},
		{"ab", "name.length"},
		{strings.Repeat("a", 64), "name.length"},
		{"", "name.length"},
		{"My-Server", "name.characters"},
		{"my_server", "name.characters"},
		{"my.server", "name.characters"},
		{"pg\n1", "name.characters"},
		{"-pg1", "name.start_end"},
		{"pg1-", "name.start_end"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateServerName("+quote(c.in)+")", ValidateServerName(c.in), c.rule)
	}
}

func TestValidateLocationAndZone(t *testing.T) {
	checkRule(t, "eastus", ValidateLocation("eastus"), "")
	checkRule(t, "East US", ValidateLocation("East US"), "location.catalog")
	checkRule(t, "empty", ValidateLocation(""), "location.catalog")
	zones := []struct{ location, zone, rule string }{
		{"eastus", "", ""},
		{"eastus", "1", ""},
		{"eastus", "3", ""},
		{"eastus", "4", "zone.region_zones"},
		{"westus", "1", ""},
		{"westus", "2", "zone.region_zones"},
		{"nowhere", "9", ""}, // the location error is reported by ValidateLocation
	}
	for _, c := range zones {
		checkRule(t, "ValidateZone("+c.location+","+c.zone+")", ValidateZone(c.location, c.zone), c.rule)
	}
}

func TestValidateSimpleEnums(t *testing.T) {
	cases := []struct {
		label string
		err   *FieldError
		rule  string
	}{
		{"version 17", ValidateVersion("17"), ""},
		{"version 15", ValidateVersion("15"), ""},
		{"version 16", ValidateVersion("16"), "version.supported"},
		{"version empty", ValidateVersion(""), "version.supported"},
		{"sku ok", ValidateSKUName("GP_Standard_D2s_v3"), ""},
		{"sku case", ValidateSKUName("gp_standard_d2s_v3"), "sku_name.catalog"},
		{"sku unknown", ValidateSKUName("Standard_D2s_v3"), "sku_name.catalog"},
		{"ha zr", ValidateHAMode("ZoneRedundant"), ""},
		{"ha same", ValidateHAMode("SameZone"), ""},
		{"ha disabled", ValidateHAMode("Disabled"), "high_availability.mode.allowed_values"},
		{"ha lower", ValidateHAMode("zoneredundant"), "high_availability.mode.allowed_values"},
		{"state ready", ValidateState("Ready"), ""},
		{"state stopped", ValidateState("Stopped"), ""},
		{"state starting", ValidateState("Starting"), "state.allowed_values"},
		{"create default", ValidateCreateMode("Default"), ""},
		{"create pitr", ValidateCreateMode("PointInTimeRestore"), ""},
		{"create replica", ValidateCreateMode("Replica"), "create_mode.allowed_values"},
		{"retention 7", ValidateBackupRetentionDays(7), ""},
		{"retention 35", ValidateBackupRetentionDays(35), ""},
		{"retention 6", ValidateBackupRetentionDays(6), "backup_retention_days.range"},
		{"retention 36", ValidateBackupRetentionDays(36), "backup_retention_days.range"},
	}
	for _, c := range cases {
		checkRule(t, c.label, c.err, c.rule)
	}
	if e := ValidateSKUName("gp_standard_d2s_v3"); !strings.Contains(e.Message, "did you mean GP_Standard_D2s_v3") {
		t.Errorf("case-only mismatch should suggest the catalog name: %q", e.Message)
	}
}

func TestValidateStorage(t *testing.T) {
	for _, mb := range StorageSizesMB() {
		checkRule(t, "size", ValidateStorageMB(mb), "")
	}
	for _, mb := range []int64{0, 1000, 32767, 40000, -32768} {
		checkRule(t, "size", ValidateStorageMB(mb), "storage_mb.allowed_sizes")
	}
	e := ValidateStorageMB(1000)
	if !strings.Contains(e.Message, "32768, 65536") || !strings.HasSuffix(e.Message, "got 1000") {
		t.Errorf("storage_mb message = %q", e.Message)
	}
	tiers := []struct {
		mb   int64
		tier string
		rule string
	}{
		{0, "P4", ""},
		{32768, "P50", ""},
		{65536, "P4", "storage_tier.allowed_for_size"},
		{65536, "P6", ""},
		{1048576, "P20", "storage_tier.allowed_for_size"},
		{8388608, "P80", ""},
		{8388608, "P50", "storage_tier.allowed_for_size"},
		{33553408, "P70", "storage_tier.allowed_for_size"},
		{32768, "P1", "storage_tier.allowed_values"},
		{32768, "p4", "storage_tier.allowed_values"},
		{1000, "P4", ""}, // size error is ValidateStorageMB's
	}
	for _, c := range tiers {
		checkRule(t, "ValidateStorageTier", ValidateStorageTier(c.mb, c.tier), c.rule)
	}
	e = ValidateStorageTier(65536, "P4")
	if !strings.Contains(e.Message, "P6, P10, P15, P20, P30, P40, P50") {
		t.Errorf("tier message must list the tiers of the size: %q", e.Message)
	}
}

func TestValidateAdministratorLogin(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"pgadmin", ""},
		{"_admin1", ""},
		{"Alice", ""},
		{strings.Repeat("a", 63), ""},
		{"", "administrator_login.length"},
		{strings.Repeat("a", 64), "administrator_login.length"},
		{"1admin", "administrator_login.start"},
		{"-admin", "administrator_login.start"},
		{"ad-min", "administrator_login.characters"},
		{"ad min", "administrator_login.characters"},
		{"admin\x00", "administrator_login.characters"},
		{"pg_admin", "administrator_login.reserved_prefix"},
		{"PG_monitor", "administrator_login.reserved_prefix"},
	}
	for _, reserved := range []string{"azure_superuser", "azure_pg_admin", "admin", "administrator", "root",
		"guest", "public", "azuresu", "replication", "ADMIN", "Root", "Azure_PG_Admin"} {
		cases = append(cases, struct{ in, rule string }{reserved, "administrator_login.reserved"})
	}
	for _, c := range cases {
		checkRule(t, "ValidateAdministratorLogin("+quote(c.in)+")", ValidateAdministratorLogin(c.in), c.rule)
	}
}

func TestValidateAdministratorPassword(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"Passw0rd", ""},
		{"qwerty12!", ""},
		{"QWERTY12!", ""},
		{"Pass word!", ""},
		{strings.Repeat("aA1", 42) + "xy", ""},
		{"Pa1!", "administrator_password.length"},
		{strings.Repeat("aA1", 43), "administrator_password.length"},
		{"qwertyuiop", "administrator_password.complexity"},
		{"qwerty123", "administrator_password.complexity"},
		{"QWERTYqwerty", "administrator_password.complexity"},
		{"Secret1!\nmore", "administrator_password.characters"},
	}
	for _, c := range cases {
		e := ValidateAdministratorPassword(c.in)
		checkRule(t, "password case", e, c.rule)
		if e != nil && c.in != "" && strings.Contains(e.Message, c.in) {
			t.Errorf("password message leaks the password: %q", e.Message)
		}
	}
	if e := ValidatePassword("administrator_password_wo", "short"); e == nil || e.Field != "administrator_password_wo" {
		t.Errorf("ValidatePassword must report the given field, got %+v", e)
	}
}

func TestValidateMaintenanceWindow(t *testing.T) {
	checkRules(t, "valid", ValidateMaintenanceWindow(0, 0, 0))
	checkRules(t, "valid max", ValidateMaintenanceWindow(6, 23, 59))
	checkRules(t, "all wrong", ValidateMaintenanceWindow(7, 24, 60),
		"maintenance_window.day_of_week.range", "maintenance_window.start_hour.range",
		"maintenance_window.start_minute.range")
	checkRules(t, "negative day", ValidateMaintenanceWindow(-1, 3, 30), "maintenance_window.day_of_week.range")
	if e := ValidateMaintenanceWindow(7, 0, 0)[0]; !strings.Contains(e.Message, "0 = Sunday") {
		t.Errorf("day_of_week message should explain the numbering: %q", e.Message)
	}
}
