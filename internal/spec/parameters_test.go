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
		"full_page_writes", "listen_addresses", "port", "wal_log_hints", "log_timezone", "lc_messages"}
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
		{"max_connections", "+0100", "100"},
		{"azure.extensions", "PG_TRGM , hstore", "pg_trgm,hstore"},
		{"TimeZone", "Europe/Berlin", "Europe/Berlin"},
		{"max_connections", "bogus", "bogus"},
	}
	for _, c := range cases {
		if got := NormalizeParameterValue(c.name, c.in); got != c.want {
			t.Errorf("NormalizeParameterValue(%s, %q) = %q, want %q", c.name, c.in, got, c.want)
		}
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
