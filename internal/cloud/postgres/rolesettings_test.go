package postgres

import (
	"maps"
	"net/netip"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// parseConninfo reads a libpq keyword/value connection string the way libpq's conninfo_parse does: keyword,
// optional blanks, '=', optional blanks, then a value that is either bare (up to a blank) or single-quoted,
// where a backslash takes the next character literally in both forms.
func parseConninfo(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	i := 0
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	for skip(); i < len(s); skip() {
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			t.Fatalf("conninfo %q: missing = after %q", s, s[i:])
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		skip()
		var v strings.Builder
		quoted := i < len(s) && s[i] == '\''
		if quoted {
			i++
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				i++
				v.WriteByte(s[i])
				continue
			}
			if quoted && c == '\'' {
				quoted = false
				i++
				break
			}
			if !quoted && c == ' ' {
				break
			}
			v.WriteByte(c)
		}
		if quoted {
			t.Fatalf("conninfo %q: unterminated quote", s)
		}
		if _, dup := out[key]; dup {
			t.Fatalf("conninfo %q: %s twice", s, key)
		}
		out[key] = v.String()
	}
	return out
}

func TestPrimarySettings(t *testing.T) {
	got, err := PrimarySettings([]string{"inst_b", "first"})
	if err != nil {
		t.Fatal(err)
	}
	if got["synchronous_standby_names"] != `FIRST 1 ("inst_b", "first")` {
		t.Fatalf("synchronous_standby_names = %q", got["synchronous_standby_names"])
	}
	if got["wal_sender_timeout"] != "5s" || got["wal_receiver_timeout"] != "5s" {
		t.Fatalf("timeouts: %v", got)
	}
	none, err := PrimarySettings(nil)
	if err != nil || none["synchronous_standby_names"] != "" {
		t.Fatalf("no standbys: %q, %v", none["synchronous_standby_names"], err)
	}
	if _, ok := none["synchronous_standby_names"]; !ok {
		t.Fatal("no standbys: synchronous_standby_names must be rendered (empty), not left to an old file")
	}
	for _, bad := range []string{"", "Inst", "a-b", `a"b`, "a b", "a,b", "é", strings.Repeat("a", 64)} {
		if _, err := PrimarySettings([]string{"ok", bad}); err == nil {
			t.Errorf("PrimarySettings accepted %q", bad)
		}
	}
}

func testStandbyConfig() StandbyConfig {
	return StandbyConfig{
		Primary:         Peer{Host: "db1.postgres.flexpg.internal", Addr: netip.MustParseAddr("10.0.0.5"), Port: 5432},
		SlotName:        "flexpg_ha_b",
		ApplicationName: "b",
	}
}

func TestStandbySettings(t *testing.T) {
	got, err := StandbySettings(testStandbyConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"primary_slot_name": "flexpg_ha_b", "hot_standby": "on",
		"recovery_target_timeline": "latest", "wal_sender_timeout": "5s", "wal_receiver_timeout": "5s"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	ci := parseConninfo(t, got["primary_conninfo"])
	wantCI := map[string]string{"host": "db1.postgres.flexpg.internal", "hostaddr": "10.0.0.5", "port": "5432",
		"user": ReplicationRole, "application_name": "b", "sslmode": "verify-full", "sslrootcert": CAFile,
		"sslcert": ReplicationCertFile, "sslkey": ReplicationKeyFile, "connect_timeout": "5"}
	if !maps.Equal(ci, wantCI) {
		t.Fatalf("primary_conninfo %q parses as\n%v\nwant\n%v", got["primary_conninfo"], ci, wantCI)
	}
	for k := range got {
		if !roleSettingNames[k] {
			t.Errorf("StandbySettings returns %s, which RenderConfig would refuse", k)
		}
	}
}

// TestStandbySettingsQuoting: a host with quotes, backslashes and blanks survives both layers, libpq's
// conninfo quoting inside postgresql.conf's.
func TestStandbySettingsQuoting(t *testing.T) {
	c := testStandbyConfig()
	c.Primary = Peer{Host: `it's a \ host`, Port: 6432}
	got, err := StandbySettings(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got["primary_conninfo"], `host='it\'s a \\ host'`) {
		t.Fatalf("conninfo quoting: %s", got["primary_conninfo"])
	}
	conf, err := RenderConfig(got)
	if err != nil {
		t.Fatal(err)
	}
	_, values, _ := parseConf(t, conf)
	ci := parseConninfo(t, values["primary_conninfo"])
	if ci["host"] != c.Primary.Host || ci["port"] != "6432" || ci["user"] != ReplicationRole {
		t.Fatalf("read back %v", ci)
	}
	if _, ok := ci["hostaddr"]; ok {
		t.Fatal("hostaddr without an address")
	}
}

func TestStandbySettingsRefuses(t *testing.T) {
	tests := map[string]func(*StandbyConfig){
		"no host":           func(c *StandbyConfig) { c.Primary.Host = "" },
		"newline in host":   func(c *StandbyConfig) { c.Primary.Host = "a\nb" },
		"NUL in host":       func(c *StandbyConfig) { c.Primary.Host = "a\x00" },
		"no port":           func(c *StandbyConfig) { c.Primary.Port = 0 },
		"port out of range": func(c *StandbyConfig) { c.Primary.Port = 65536 },
		"4in6 address":      func(c *StandbyConfig) { c.Primary.Addr = netip.MustParseAddr("::ffff:10.0.0.5") },
		"no slot":           func(c *StandbyConfig) { c.SlotName = "" },
		"slot upper case":   func(c *StandbyConfig) { c.SlotName = "Flexpg" },
		"slot with dash":    func(c *StandbyConfig) { c.SlotName = "flexpg-ha" },
		"long slot":         func(c *StandbyConfig) { c.SlotName = strings.Repeat("s", 64) },
		"no app name":       func(c *StandbyConfig) { c.ApplicationName = "" },
		"app name quote":    func(c *StandbyConfig) { c.ApplicationName = "b'" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			c := testStandbyConfig()
			mutate(&c)
			if got, err := StandbySettings(c); err == nil {
				t.Fatalf("accepted: %v", got)
			}
		})
	}
}

// TestRoleSettingsRender: the role settings render next to the catalog's, and none of them is a catalog
// parameter (users must not set them, and a merge must not have two sources for one name).
func TestRoleSettingsRender(t *testing.T) {
	for name := range roleSettingNames {
		if _, ok := spec.LookupParameter(name); ok {
			t.Errorf("role setting %s is also a catalog parameter", name)
		}
	}
	primary, err := PrimarySettings([]string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	settings := catalogSettings(nil)
	maps.Copy(settings, primary)
	out, err := RenderConfig(settings)
	if err != nil {
		t.Fatal(err)
	}
	_, values, _ := parseConf(t, out)
	if values["synchronous_standby_names"] != `FIRST 1 ("b")` || values["synchronous_commit"] != "on" {
		t.Fatalf("primary file: %v", values)
	}
	if _, err := RenderConfig(map[string]string{"primary_conninfo": "host=x\nssl = off"}); err == nil {
		t.Fatal("a role setting with a newline was rendered")
	}
	if _, err := RenderConfig(map[string]string{"Primary_Conninfo": "host=x"}); err == nil {
		t.Fatal("a role setting in another case was rendered")
	}
}
