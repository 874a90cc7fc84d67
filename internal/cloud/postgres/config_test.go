package postgres

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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

func TestRenderConfigFixedLinesFirst(t *testing.T) {
	out, err := RenderConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	names, values, lines := parseConf(t, out)
	want := []string{"data_directory", "hba_file", "ident_file", "listen_addresses", "port",
		"unix_socket_directories", "ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "logging_collector",
		"log_destination", "wal_log_hints", "fsync", "synchronous_commit"}
	for i, name := range want {
		if names[i] != name {
			t.Fatalf("line %d is %q, want %q (fixed lines first, in order)", i, names[i], name)
		}
	}
	checks := map[string]string{
		"data_directory": "/var/lib/flexpg/data", "hba_file": "/etc/flexpg/pg_hba.conf",
		"ident_file": "/etc/flexpg/pg_ident.conf", "listen_addresses": "*", "port": "5432",
		"unix_socket_directories": "/run/postgresql", "ssl": "on", "ssl_cert_file": "/etc/flexpg/server.crt",
		"ssl_key_file": "/etc/flexpg/server.key", "ssl_ca_file": "/etc/flexpg/ca.crt", "logging_collector": "off",
		"log_destination": "stderr", "wal_log_hints": "on", "fsync": "on", "synchronous_commit": "on",
		"password_encryption": "scram-sha-256", "wal_level": "replica", "restart_after_crash": "on",
		"ssl_min_protocol_version": "TLSv1.2",
	}
	for name, v := range checks {
		if values[name] != v {
			t.Errorf("%s = %q, want %q", name, values[name], v)
		}
	}
	if lines != confCommentLines+len(fixedSettings)+len(defaultSettings) {
		t.Errorf("%d lines, want %d", lines, confCommentLines+len(fixedSettings)+len(defaultSettings))
	}
	if !strings.Contains(string(out), "port = '5432'\n") {
		t.Errorf("values must be single-quoted:\n%s", out)
	}
}

func TestRenderConfigParams(t *testing.T) {
	params := map[string]string{
		"password_encryption":      "md5",
		"wal_level":                "logical",
		"work_mem":                 "8192",
		"search_path":              `"$user", public`,
		"log_line_prefix":          `it's %t \ here`,
		"TimeZone":                 "Europe/Paris",
		"azure.extensions":         "pg_trgm",
		"pgbouncer.enabled":        "true",
		"require_secure_transport": "off",
	}
	out, err := RenderConfig(params)
	if err != nil {
		t.Fatal(err)
	}
	names, values, _ := parseConf(t, out)
	want := map[string]string{"password_encryption": "md5", "wal_level": "logical", "work_mem": "8192",
		"search_path": `"$user", public`, "log_line_prefix": `it's %t \ here`, "timezone": "Europe/Paris"}
	for name, v := range want {
		if values[name] != v {
			t.Errorf("%s = %q, want %q", name, values[name], v)
		}
	}
	for _, skipped := range []string{"azure.extensions", "pgbouncer.enabled", "require_secure_transport"} {
		if _, ok := values[skipped]; ok {
			t.Errorf("non-engine parameter %s rendered", skipped)
		}
	}
	if !strings.Contains(string(out), `log_line_prefix = 'it''s %t \\ here'`) {
		t.Errorf("quote/backslash escaping wrong:\n%s", out)
	}
	params2 := names[len(fixedSettings):]
	for i := 1; i < len(params2); i++ {
		if params2[i-1] >= params2[i] {
			t.Errorf("parameters not sorted: %q before %q", params2[i-1], params2[i])
		}
	}
	again, err := RenderConfig(params)
	if err != nil || !bytes.Equal(out, again) {
		t.Errorf("rendering is not deterministic")
	}
}

func TestRenderConfigRefuses(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
	}{
		{"fixed", map[string]string{"port": "5433"}},
		{"fixed any case", map[string]string{"SSL": "off"}},
		{"fixed data_directory", map[string]string{"Data_Directory": "/tmp"}},
		{"fixed hba", map[string]string{"hba_file": "/tmp/x"}},
		{"duplicate by case", map[string]string{"work_mem": "1", "WORK_MEM": "2"}},
		{"newline in value", map[string]string{"work_mem": "1\nssl = off"}},
		{"carriage return", map[string]string{"work_mem": "1\rssl = off"}},
		{"NUL", map[string]string{"work_mem": "1\x00"}},
		{"tab", map[string]string{"work_mem": "1\t2"}},
		{"DEL", map[string]string{"work_mem": "1\x7f"}},
		{"C1 control", map[string]string{"work_mem": "1\u0085"}},
		{"invalid UTF-8", map[string]string{"work_mem": "\xff"}},
		{"newline in skipped knob", map[string]string{"azure.extensions": "a\nssl = off"}},
		{"empty name", map[string]string{"": "1"}},
		{"name with space", map[string]string{"work mem": "1"}},
		{"name with equals", map[string]string{"work_mem=1 #": "1"}},
		{"name with quote", map[string]string{"work_mem'": "1"}},
		{"name with newline", map[string]string{"a\nb": "1"}},
		{"name starts with digit", map[string]string{"1abc": "1"}},
		{"empty custom part", map[string]string{"a..b": "1"}},
		{"trailing dot", map[string]string{"a.": "1"}},
		{"custom part starts with digit", map[string]string{"a.1b": "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := RenderConfig(tc.params); err == nil {
				t.Fatalf("RenderConfig accepted %q:\n%s", tc.params, out)
			}
		})
	}
}

func TestIsEngineParameter(t *testing.T) {
	tests := map[string]bool{
		"work_mem": true, "shared_buffers": true, "pg_stat_statements.max": true, "pgaudit.log": true,
		"azure.extensions": false, "Azure.Extensions": false, "pgbouncer.enabled": false,
		"require_secure_transport": false, "REQUIRE_SECURE_TRANSPORT": false, "metrics.collector_database_activity": false,
		"logfiles.download_enable": false, "ssl_min_protocol_version": true,
	}
	for name, want := range tests {
		if got := IsEngineParameter(name); got != want {
			t.Errorf("IsEngineParameter(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzRenderConfig checks that no name or value can change the file's shape: either RenderConfig refuses the
// input, or the output has exactly the expected lines, each a name and one quoted value, and the value reads
// back unchanged.
func FuzzRenderConfig(f *testing.F) {
	for _, seed := range [][2]string{
		{"work_mem", "4096"}, {"port", "1"}, {"search_path", `"$user", public`}, {"a", "x'\ny = 'z"},
		{"log_line_prefix", `\'`}, {"x.y", "\x00"}, {"azure.extensions", "vector"}, {"a\nb", "1"},
		{"password_encryption", "md5"}, {"TimeZone", "UTC\u2028"}, {"w", "\xc3"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		out, err := RenderConfig(map[string]string{name: value})
		lower := strings.ToLower(name)
		valid := parameterName.MatchString(name) && utf8.ValidString(value) && !hasControl(value) && !isFixed(lower)
		if hasControl(value) && err == nil {
			t.Fatalf("control character accepted in %q", value)
		}
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
		settings := len(fixedSettings) + len(defaultSettings)
		_, isDefault := defaultSettings[lower]
		rendered := IsEngineParameter(name)
		if rendered && !isDefault {
			settings++
		}
		if lines != confCommentLines+settings || len(values) != settings {
			t.Fatalf("%d lines / %d settings, want %d / %d:\n%s", lines, len(values), confCommentLines+settings, settings, out)
		}
		if got, ok := values[lower]; rendered && (!ok || got != value) {
			t.Fatalf("value of %q reads back as %q, want %q", lower, got, value)
		}
		if _, ok := values[lower]; !rendered && ok {
			t.Fatalf("non-engine parameter %q rendered", name)
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
	out, _ := RenderConfig(map[string]string{"work_mem": "8192", "require_secure_transport": "on"})
	lines := strings.Split(string(out), "\n")
	fmt.Println(lines[2])
	fmt.Println(lines[len(lines)-2])
	// Output:
	// data_directory = '/var/lib/flexpg/data'
	// work_mem = '8192'
}
