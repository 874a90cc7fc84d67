package postgres

import (
	"strings"
	"testing"
)

func TestQuoteLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "'plain'"},
		{"it's", "'it''s'"},
		{`a\b`, `E'a\\b'`},
		{`'\`, `E'''\\'`},
		{"SCRAM-SHA-256$4096:abc+/=$x:y", "'SCRAM-SHA-256$4096:abc+/=$x:y'"},
	}
	for _, tc := range tests {
		got, err := quoteLiteral(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("quoteLiteral(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := quoteLiteral("a\x00b"); err == nil {
		t.Error("NUL accepted")
	}
}

func TestIdent(t *testing.T) {
	got, err := ident("role", `we"ird`)
	if err != nil || got != `"we""ird"` {
		t.Errorf("ident = %q, %v", got, err)
	}
	for _, bad := range []string{"", strings.Repeat("a", 64), "a\x00b"} {
		if _, err := ident("role", bad); err == nil {
			t.Errorf("ident accepted %q", bad)
		}
	}
	if _, err := ident("role", strings.Repeat("a", 63)); err != nil {
		t.Errorf("63-byte name refused: %v", err)
	}
}

func TestAdminIdentReserved(t *testing.T) {
	for _, name := range []string{"azuresu", "AZURESU", "azure_pg_admin", "postgres", "replication", "pg_monitor", "PG_x"} {
		if _, err := adminIdent(name); err == nil {
			t.Errorf("adminIdent accepted reserved %q", name)
		}
	}
	if _, err := adminIdent("pgadmin"); err != nil {
		t.Errorf("adminIdent refused pgadmin: %v", err)
	}
}
