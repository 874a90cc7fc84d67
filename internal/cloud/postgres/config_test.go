package postgres

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// confLine is the shape of every setting line RenderConfig writes: a lower-case name and one single-quoted
// value in which a quote appears only doubled and a backslash only escaped.
var confLine = regexp.MustCompile(`^([a-z_][a-z0-9_.]*) = '((?:[^'\\]|''|\\\\)*)'$`)

// parseConf reads RenderConfig's output back: it fails on any line that is neither a comment nor a setting,
// and unquotes values the way PostgreSQL's configuration lexer does.
func parseConf(t *testing.T, data []byte) (names []string, values map[string]string, lines int) {
	t.Helper()
	values = map[string]string{}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("output does not end with a newline: %q", text)
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		lines++
		if strings.HasPrefix(line, "# ") {
			continue
		}
		m := confLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed line %q", line)
		}
		if _, dup := values[m[1]]; dup {
			t.Fatalf("setting %q written twice", m[1])
		}
		v := strings.ReplaceAll(m[2], `''`, `'`)
		v = strings.ReplaceAll(v, `\\`, `\`)
		names = append(names, m[1])
		values[m[1]] = v
	}
	return names, values, lines
}

const confCommentLines = 3

// catalogSettings are the PostgreSQL settings of a new B1ms server, as the cloud renders them.
func catalogSettings(overrides map[string]string) map[string]string {
	sku, _ := spec.LookupSKU("B_Standard_B1ms")
	return spec.EngineParameterValues(spec.ParameterValues(spec.ParameterInput{SKU: sku,
		Compute: spec.ScaledCompute(sku, spec.DefaultScale), StorageMB: spec.DefaultStorageMB, Overrides: overrides}))
}

func TestRenderConfigLayoutFirst(t *testing.T) {
	out, err := RenderConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	names, values, lines := parseConf(t, out)
	want := []string{"data_directory", "hba_file", "ident_file", "unix_socket_directories", "ssl_cert_file",
		"ssl_key_file", "ssl_ca_file"}
	if !slices.Equal(names, want) {
		t.Fatalf("layout lines %q, want %q in order", names, want)
	}
	checks := map[string]string{
		"data_directory": "/var/lib/flexpg/data", "hba_file": "/etc/flexpg/pg_hba.conf",
		"ident_file": "/etc/flexpg/pg_ident.conf", "unix_socket_directories": "/run/postgresql",
		"ssl_cert_file": "/etc/flexpg/server.crt", "ssl_key_file": "/etc/flexpg/server.key",
		"ssl_ca_file": "/etc/flexpg/ca.crt",
	}
	for name, v := range checks {
		if values[name] != v {
			t.Errorf("%s = %q, want %q", name, values[name], v)
		}
	}
	if lines != confCommentLines+len(layoutSettings) {
		t.Errorf("%d lines, want %d", lines, confCommentLines+len(layoutSettings))
	}
	for _, s := range layoutSettings {
		if _, inCatalog := spec.LookupParameter(s.name); inCatalog {
			t.Errorf("layout setting %s is also a catalog parameter: one of the two would be overridden", s.name)
		}
	}
}

// TestRenderConfigCatalog renders what the cloud renders for a new server: every catalog PostgreSQL
// setting with its value, read-only ones included, and no service knob.
func TestRenderConfigCatalog(t *testing.T) {
	out, err := RenderConfig(catalogSettings(nil))
	if err != nil {
		t.Fatal(err)
	}
	names, values, _ := parseConf(t, out)
	for _, p := range spec.Parameters() {
		_, ok := values[strings.ToLower(p.Name)]
		if ok == p.Service {
			t.Errorf("%s rendered: %v, service knob: %v", p.Name, ok, p.Service)
		}
	}
	checks := map[string]string{
		"wal_log_hints": "on", "restart_after_crash": "on", "fsync": "on", "synchronous_commit": "on",
		"ssl": "on", "listen_addresses": "*", "port": "5432", "logging_collector": "off",
		"log_destination": "stderr", "password_encryption": "scram-sha-256", "wal_level": "replica",
		"ssl_min_protocol_version": "TLSv1.2", "ssl_max_protocol_version": "", "max_connections": "50",
		"timezone": "UTC", "shared_preload_libraries": "pg_stat_statements",
	}
	for name, v := range checks {
		if got, ok := values[name]; !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", name, got, ok, v)
		}
	}
	params := names[len(layoutSettings):]
	if !slices.IsSorted(params) {
		t.Errorf("parameters not sorted: %q", params)
	}
	again, err := RenderConfig(catalogSettings(nil))
	if err != nil || !bytes.Equal(out, again) {
		t.Errorf("rendering is not deterministic")
	}
}

func TestRenderConfigQuotes(t *testing.T) {
	out, err := RenderConfig(map[string]string{"log_line_prefix": `it's %t \ here`, "search_path": `"$user", public`})
	if err != nil {
		t.Fatal(err)
	}
	_, values, _ := parseConf(t, out)
	if values["log_line_prefix"] != `it's %t \ here` || values["search_path"] != `"$user", public` {
		t.Errorf("values do not read back: %q", values)
	}
	if !strings.Contains(string(out), `log_line_prefix = 'it''s %t \\ here'`) {
		t.Errorf("quote/backslash escaping wrong:\n%s", out)
	}
}

func TestRenderConfigRefuses(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
	}{
		{"layout", map[string]string{"data_directory": "/tmp"}},
		{"layout any case", map[string]string{"Data_Directory": "/tmp"}},
		{"layout hba", map[string]string{"hba_file": "/tmp/x"}},
		{"not in the catalog", map[string]string{"application_name": "x"}},
		{"catalog name in another case", map[string]string{"WORK_MEM": "2"}},
		{"service knob", map[string]string{"require_secure_transport": "on"}},
		{"service knob azure", map[string]string{"azure.extensions": "pg_trgm"}},
		{"newline in value", map[string]string{"work_mem": "1\nssl = off"}},
		{"carriage return", map[string]string{"work_mem": "1\rssl = off"}},
		{"NUL", map[string]string{"work_mem": "1\x00"}},
		{"tab", map[string]string{"work_mem": "1\t2"}},
		{"DEL", map[string]string{"work_mem": "1\x7f"}},
		{"C1 control", map[string]string{"work_mem": "1\u0085"}},
		{"invalid UTF-8", map[string]string{"work_mem": "\xff"}},
		{"empty name", map[string]string{"": "1"}},
		{"name with newline", map[string]string{"work_mem\nssl": "1"}},
		{"name with equals", map[string]string{"work_mem=1 #": "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := RenderConfig(tc.params); err == nil {
				t.Fatalf("RenderConfig accepted %q:\n%s", tc.params, out)
			}
		})
	}
}

// FuzzRenderConfig checks that no name or value can change the file's shape: either RenderConfig refuses the
// input, or the output has exactly the expected lines, each a name and one quoted value, and the value reads
// back unchanged.
func FuzzRenderConfig(f *testing.F) {
	for _, seed := range [][2]string{
		{"work_mem", "4096"}, {"port", "1"}, {"search_path", `"$user", public`}, {"a", "x'\ny = 'z"},
		{"log_line_prefix", `\'`}, {"x.y", "\x00"}, {"azure.extensions", "vector"}, {"a\nb", "1"},
		{"password_encryption", "md5"}, {"TimeZone", "UTC\u2028"}, {"w", "\xc3"}, {"data_directory", "/"},
		{"primary_conninfo", `host='a\'b'`}, {"Hot_Standby", "on"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		out, err := RenderConfig(map[string]string{name: value})
		valid := (spec.IsEngineParameter(name) || roleSettingNames[name]) && utf8.ValidString(value) && !hasControl(value)
		if !valid {
			if err == nil {
				t.Fatalf("RenderConfig accepted name %q value %q", name, value)
			}
			return
		}
		if err != nil {
			t.Fatalf("RenderConfig refused valid name %q value %q: %v", name, value, err)
		}
		_, values, lines := parseConf(t, out)
		settings := len(layoutSettings) + 1
		if lines != confCommentLines+settings || len(values) != settings {
			t.Fatalf("%d lines / %d settings, want %d / %d:\n%s", lines, len(values), confCommentLines+settings, settings, out)
		}
		if got := values[strings.ToLower(name)]; got != value {
			t.Fatalf("value of %q reads back as %q, want %q", name, got, value)
		}
	})
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

func ExampleRenderConfig() {
	out, _ := RenderConfig(map[string]string{"work_mem": "8192", "TimeZone": "UTC"})
	lines := strings.Split(string(out), "\n")
	fmt.Println(lines[2])
	fmt.Println(lines[len(lines)-3])
	fmt.Println(lines[len(lines)-2])
	// Output:
	// data_directory = '/var/lib/flexpg/data'
	// timezone = 'UTC'
	// work_mem = '8192'
}
