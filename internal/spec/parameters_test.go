package spec

import (
	"slices"
	"strings"
	"testing"
)

func TestParameterCatalog(t *testing.T) {
	params := Parameters()
	names := ParameterNames()
	if !slices.IsSortedFunc(names, func(a, b string) int {
		if parameterLess(a, b) {
			return -1
		}
		return 1
	}) {
		t.Errorf("parameters not sorted: %v", names)
	}
	required := []string{"require_secure_transport", "ssl_min_protocol_version", "ssl_max_protocol_version",
		"max_connections", "shared_buffers", "effective_cache_size", "maintenance_work_mem", "work_mem", "wal_buffers",
		"max_wal_size", "min_wal_size", "log_min_duration_statement", "log_statement", "log_connections",
		"log_disconnections", "log_checkpoints", "log_line_prefix", "idle_in_transaction_session_timeout",
		"statement_timeout", "lock_timeout", "idle_session_timeout", "TimeZone", "DateStyle",
		"default_transaction_isolation", "search_path", "max_wal_senders", "max_replication_slots",
		"max_worker_processes", "max_prepared_transactions", "max_locks_per_transaction", "track_commit_timestamp",
		"wal_level", "password_encryption", "autovacuum", "checkpoint_timeout", "random_page_cost",
		"shared_preload_libraries", "azure.extensions", "pgbouncer.enabled", "ssl", "fsync", "synchronous_commit",
		"full_page_writes", "listen_addresses", "port", "wal_log_hints", "log_timezone", "lc_messages",
		"restart_after_crash", "logging_collector", "log_destination", "default_transaction_read_only"}
	for _, n := range required {
		if _, ok := LookupParameter(n); !ok {
			t.Errorf("parameter %s missing", n)
		}
	}
	for _, p := range params {
		if p.Description == "" || !slices.Contains(ParameterTypes(), p.Type) {
			t.Errorf("%s: description or type missing", p.Name)
		}
		if p.Derived {
			continue
		}
		// A non-derived default is valid for its parameter (read-only ones are checked by type only).
		q := p
		q.ReadOnly = false
		if p.Default != "" || p.Type == ParameterTypeSet {
			if e := validateTypedValue(q, p.Default); e != nil {
				t.Errorf("default of %s is invalid: %s", p.Name, e.Message)
			}
		}
	}
	static := []string{"max_connections", "shared_buffers", "wal_buffers", "max_wal_senders", "max_replication_slots",
		"max_worker_processes", "max_prepared_transactions", "max_locks_per_transaction", "track_commit_timestamp",
		"wal_level", "shared_preload_libraries"}
	for _, n := range static {
		if !RestartRequired(n) {
			t.Errorf("%s must require a restart", n)
		}
	}
	for _, n := range []string{"work_mem", "require_secure_transport", "azure.extensions", "pgbouncer.enabled", "nonexistent"} {
		if RestartRequired(n) {
			t.Errorf("%s must not require a restart", n)
		}
	}
}

func TestAllowedValuesString(t *testing.T) {
	cases := map[string]string{
		"max_connections":            "25-5000",
		"require_secure_transport":   "on,off",
		"ssl_min_protocol_version":   "TLSv1.2,TLSv1.3",
		"pgbouncer.enabled":          "true,false",
		"shared_preload_libraries":   "auto_explain,pg_prewarm,pg_stat_statements",
		"TimeZone":                   "[A-Za-z0-9/+_-]+",
		"log_min_duration_statement": "-1-2147483647",
	}
	for name, want := range cases {
		p, _ := LookupParameter(name)
		if got := p.AllowedValuesString(); got != want {
			t.Errorf("%s allowed = %q, want %q", name, got, want)
		}
	}
}

func TestValidateParameterName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"max_connections", ""},
		{"azure.extensions", ""},
		{"TimeZone", ""},
		{"timezone", "name.unknown"},
		{"no_such_parameter", "name.unknown"},
		{"", "name.format"},
		{"max connections", "name.format"},
		{"a\nb", "name.format"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateParameterName("+quote(c.in)+")", ValidateParameterName(c.in), c.rule)
	}
	if e := ValidateParameterName("timezone"); !strings.Contains(e.Message, "did you mean TimeZone") {
		t.Errorf("case mismatch should suggest the catalog name: %q", e.Message)
	}
}

func TestValidateParameterValue(t *testing.T) {
	cases := []struct{ name, value, rule string }{
		{"ssl_min_protocol_version", "TLSv1.2", ""},
		{"ssl_min_protocol_version", "TLSv1.3", ""},
		{"ssl_min_protocol_version", "TLSv1.1", "value.allowed_values"},
		{"ssl_min_protocol_version", "", "value.allowed_values"},
		{"ssl_min_protocol_version", "tlsv1.2", "value.allowed_values"},
		{"ssl_max_protocol_version", "TLSv1.3", ""},
		{"max_connections", "25", ""},
		{"max_connections", "5000", ""},
		{"max_connections", "24", "value.allowed_values"},
		{"max_connections", "5001", "value.allowed_values"},
		{"max_connections", "100MB", "value.allowed_values"},
		{"max_connections", "1e3", "value.allowed_values"},
		{"max_connections", "", "value.allowed_values"},
		{"work_mem", "4095", "value.allowed_values"},
		{"log_min_duration_statement", "-1", ""},
		{"require_secure_transport", "on", ""},
		{"require_secure_transport", "OFF", ""},
		{"require_secure_transport", "True", ""},
		{"require_secure_transport", "yes", "value.allowed_values"},
		{"pgbouncer.enabled", "true", ""},
		{"log_statement", "ddl", ""},
		{"log_statement", "DDL", "value.allowed_values"},
		{"default_transaction_isolation", "repeatable read", ""},
		{"random_page_cost", "1.1", ""},
		{"random_page_cost", ".5", ""},
		{"random_page_cost", "-1", "value.allowed_values"},
		{"random_page_cost", "NaN", "value.allowed_values"},
		{"random_page_cost", "0x1p-2", "value.allowed_values"},
		{"shared_preload_libraries", "pg_stat_statements,auto_explain", ""},
		{"shared_preload_libraries", "pg_stat_statements, pg_prewarm", ""},
		{"shared_preload_libraries", "", ""},
		{"shared_preload_libraries", "pg_cron", "value.allowed_values"},
		{"shared_preload_libraries", "pg_stat_statements,,auto_explain", "value.allowed_values"},
		{"shared_preload_libraries", "auto_explain,auto_explain", "value.allowed_values"},
		{"azure.extensions", "pg_trgm,uuid-ossp,HSTORE", ""},
		{"azure.extensions", "postgis", "value.allowed_values"},
		{"TimeZone", "Europe/Berlin", ""},
		{"TimeZone", "Europe Berlin", "value.allowed_values"},
		{"DateStyle", "ISO, DMY", ""},
		{"DateStyle", "iso", ""},
		{"DateStyle", "Klingon", "value.allowed_values"},
		{"search_path", `"$user", public, app`, ""},
		{"search_path", "public;drop", "value.allowed_values"},
		{"log_line_prefix", "%m [%p] %q%u@%d ", ""},
		{"log_line_prefix", "it's", "value.characters"},
		{"search_path", `pub\lic`, "value.characters"},
		{"statement_timeout", "1000\n", "value.characters"},
		{"TimeZone", "UTC\x00", "value.characters"},
		{"ssl", "off", "value.read_only"},
		{"fsync", "on", "value.read_only"},
		{"port", "5433", "value.read_only"},
		{"lc_messages", "C", "value.read_only"},
		{"no_such_parameter", "1", "name.unknown"},
	}
	for _, c := range cases {
		label := "ValidateParameterValue(" + c.name + ", " + quote(c.value) + ")"
		checkRule(t, label, ValidateParameterValue(c.name, c.value), c.rule)
	}
	if e := ValidateParameterValue("ssl", "off"); !strings.Contains(e.Message, "is read-only") {
		t.Errorf("read-only message = %q", e.Message)
	}
}

func TestNormalizeParameterValue(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"require_secure_transport", "TRUE", "on"},
		{"require_secure_transport", "false", "off"},
		{"log_connections", "On", "on"},
		{"pgbouncer.enabled", "ON", "true"},
		{"pgbouncer.enabled", "off", "false"},
		{"max_connections", "+0100", "100"},
		{"max_connections", "0100", "100"}, // decimal, where PostgreSQL would read octal 64
		{"random_page_cost", "2.0", "2"},
		{"random_page_cost", ".5", "0.5"},
		{"random_page_cost", "1000000", "1e+06"}, // as PostgreSQL shows it (%g)
		{"azure.extensions", "PG_TRGM , hstore", "pg_trgm,hstore"},
		{"shared_preload_libraries", "PG_STAT_STATEMENTS", "pg_stat_statements"},
		{"shared_preload_libraries", " ", ""},
		{"TimeZone", "Europe/Berlin", "Europe/Berlin"},
		{"max_connections", "bogus", "bogus"},
		{"ssl", "TRUE", "TRUE"}, // read-only: not a value a user can set, so left alone
	}
	for _, c := range cases {
		if got := NormalizeParameterValue(c.name, c.in); got != c.want {
			t.Errorf("NormalizeParameterValue(%s, %q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if got := NormalizeParameterValue(c.name, c.want); got != c.want {
			t.Errorf("NormalizeParameterValue(%s, %q) = %q: canonical values must be fixed points", c.name, c.want, got)
		}
	}
}

func TestParameterValuesEqual(t *testing.T) {
	cases := []struct {
		name, a, b string
		want       bool
	}{
		{"log_connections", "TRUE", "on", true},
		{"log_connections", "off", "on", false},
		{"pgbouncer.enabled", "on", "true", true},
		{"max_connections", "0100", "100", true},
		{"shared_preload_libraries", "PG_STAT_STATEMENTS, auto_explain", "pg_stat_statements,auto_explain", true},
		{"shared_preload_libraries", "auto_explain,pg_stat_statements", "pg_stat_statements,auto_explain", false},
		{"TimeZone", "utc", "UTC", false}, // strings are kept as written
		{"max_connections", "lots", "lots", true},
		{"no_such_parameter", "1", "01", false},
	}
	for _, c := range cases {
		if got := ParameterValuesEqual(c.name, c.a, c.b); got != c.want {
			t.Errorf("ParameterValuesEqual(%s, %q, %q) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
}

func TestParameterValues(t *testing.T) {
	sku := mustSKU(t, "GP_Standard_D2s_v3")
	in := ParameterInput{SKU: sku, Compute: ScaledCompute(sku, DefaultScale), StorageMB: 65536,
		Overrides: map[string]string{"log_connections": "FALSE", "wal_log_hints": "off", "max_connections": "0200"}}
	values := ParameterValues(in)
	if len(values) != len(Parameters()) {
		t.Fatalf("%d values for %d parameters", len(values), len(Parameters()))
	}
	want := map[string]string{
		"log_connections": "off", "max_connections": "200", "shared_buffers": "16384", "work_mem": "4096",
		"wal_log_hints":       "on", // read-only: an override (from a hand-edited store) never wins
		"restart_after_crash": "on", "logging_collector": "off", "log_destination": "stderr",
		"default_transaction_read_only": "off", "require_secure_transport": "on", "pgbouncer.enabled": "false",
		"ssl_max_protocol_version": "", "port": "5432",
	}
	for name, v := range want {
		if values[name] != v {
			t.Errorf("%s = %q, want %q", name, values[name], v)
		}
	}
	in.StorageReadOnly = true
	if v := ParameterValues(in)["default_transaction_read_only"]; v != "on" {
		t.Errorf("full storage: default_transaction_read_only = %q, want on", v)
	}
	engine := EngineParameterValues(values)
	for _, knob := range []string{"require_secure_transport", "azure.extensions", "pgbouncer.enabled"} {
		if _, ok := engine[knob]; ok || IsEngineParameter(knob) {
			t.Errorf("service knob %s counted as a PostgreSQL setting", knob)
		}
	}
	if len(engine) != len(values)-3 || engine["wal_log_hints"] != "on" || !IsEngineParameter("TimeZone") {
		t.Errorf("engine values: %v", engine)
	}
	if IsEngineParameter("data_directory") || IsEngineParameter("no_such_parameter") {
		t.Error("a name outside the catalog counted as a catalog PostgreSQL setting")
	}
}

func TestParameterNamesAreUniqueAndPlain(t *testing.T) {
	seen := map[string]string{}
	for _, p := range Parameters() {
		lower := strings.ToLower(p.Name)
		if other, dup := seen[lower]; dup {
			t.Errorf("%s and %s differ only in case; PostgreSQL would read them as one setting", p.Name, other)
		}
		seen[lower] = p.Name
		if ValidateParameterName(p.Name) != nil {
			t.Errorf("catalog name %q breaks the name grammar", p.Name)
		}
		if p.Type == ParameterTypeBoolean && len(p.Allowed) != 2 {
			t.Errorf("boolean %s has spellings %v, want a true and a false one", p.Name, p.Allowed)
		}
	}
}

func TestValidateParameterCombination(t *testing.T) {
	cases := []struct {
		lo, hi, rule string
	}{
		{"TLSv1.2", "", ""},
		{"TLSv1.3", "", ""},
		{"TLSv1.2", "TLSv1.3", ""},
		{"TLSv1.3", "TLSv1.3", ""},
		{"TLSv1.3", "TLSv1.2", "value.protocol_order"},
	}
	for _, c := range cases {
		values := map[string]string{"ssl_min_protocol_version": c.lo, "ssl_max_protocol_version": c.hi}
		checkRule(t, "ValidateParameterCombination("+c.lo+", "+quote(c.hi)+")", ValidateParameterCombination(values), c.rule)
	}
	e := ValidateParameterCombination(map[string]string{"ssl_min_protocol_version": "TLSv1.3", "ssl_max_protocol_version": "TLSv1.2"})
	if !strings.Contains(e.Message, "ssl_min_protocol_version") || !strings.Contains(e.Message, "ssl_max_protocol_version") {
		t.Errorf("message names neither parameter: %q", e.Message)
	}
}

func TestParameterDefault(t *testing.T) {
	sku := mustSKU(t, "GP_Standard_D2s_v3")
	c := ScaledCompute(sku, DefaultScale)
	cases := map[string]string{
		"max_connections":          "859",
		"shared_buffers":           "16384",
		"max_wal_size":             "4096",
		"work_mem":                 "4096",
		"ssl_min_protocol_version": "TLSv1.2",
		"ssl_max_protocol_version": "",
		"shared_preload_libraries": "pg_stat_statements",
		"unknown":                  "",
	}
	for name, want := range cases {
		if got := ParameterDefault(name, sku, c, 65536); got != want {
			t.Errorf("ParameterDefault(%s) = %q, want %q", name, got, want)
		}
	}
}
