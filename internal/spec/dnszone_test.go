package spec

import (
	"strings"
	"testing"
)

func TestValidatePrivateDNSZoneName(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	cases := []struct{ in, rule string }{
		{"db.postgres.flexpg.internal", ""},
		{"example.com", ""},
		{"Private-1.Example.COM", ""},
		{"1.2", ""},
		{label63 + ".com", ""},
		{strings.Repeat(label63+".", 3) + strings.Repeat("b", 61), ""}, // 253 characters
		{"", "name.length"},
		{strings.Repeat(label63+".", 3) + strings.Repeat("b", 62), "name.length"},
		{"localhost", "name.labels"},
		{"example.com.", "name.trailing_period"},
		{".example.com", "name.empty_label"},
		{"example..com", "name.empty_label"},
		{".", "name.empty_label"},
		{strings.Repeat("a", 64) + ".com", "name.label_length"},
		{"-db.example.com", "name.label_hyphen"},
		{"db-.example.com", "name.label_hyphen"},
		{"db_1.example.com", "name.characters"},
		{"db example.com", "name.characters"},
		{"db/x.example.com", "name.characters"},
		{"db.example.com\n", "name.characters"},
	}
	for _, c := range cases {
		checkRule(t, "ValidatePrivateDNSZoneName("+quote(c.in)+")", ValidatePrivateDNSZoneName(c.in), c.rule)
	}
}

func TestValidatePrivateDNSZoneForServer(t *testing.T) {
	cases := []struct{ zone, server, rule string }{
		{"private.postgres.flexpg.internal", "pg1", ""},
		{"a.b.postgres.flexpg.internal", "pg1", ""},
		{"PRIVATE.Postgres.FlexPG.Internal", "pg1", ""},
		{"pg2.postgres.flexpg.internal", "pg1", ""},
		{"pg1.postgres.flexpg.internal", "", ""},
		{"postgres.flexpg.internal", "pg1", "private_dns_zone_id.suffix"},
		{"xpostgres.flexpg.internal", "pg1", "private_dns_zone_id.suffix"},
		{"private.postgres.database.azure.com", "pg1", "private_dns_zone_id.suffix"},
		{"example.com", "pg1", "private_dns_zone_id.suffix"},
		{"pg1.postgres.flexpg.internal", "pg1", "private_dns_zone_id.server_fqdn"},
		{"PG1.postgres.flexpg.internal", "pg1", "private_dns_zone_id.server_fqdn"},
		{"writer.postgres.flexpg.internal", "pg1", "private_dns_zone_id.endpoint_namespace"},
		{"x.reader.postgres.flexpg.internal", "pg1", "private_dns_zone_id.endpoint_namespace"},
		{"private.postgres.flexpg.internal.", "pg1", "private_dns_zone_id.trailing_period"},
		{"bad_zone.postgres.flexpg.internal", "pg1", "private_dns_zone_id.characters"},
	}
	for _, c := range cases {
		label := "ValidatePrivateDNSZoneForServer(" + quote(c.zone) + ", " + quote(c.server) + ")"
		checkRule(t, label, ValidatePrivateDNSZoneForServer(c.zone, c.server), c.rule)
	}
	e := ValidatePrivateDNSZoneForServer("example.com", "pg1")
	if !strings.Contains(e.Message, "ends in ."+DNSSuffix) {
		t.Errorf("suffix message must name the suffix: %q", e.Message)
	}
}

func TestDNSNames(t *testing.T) {
	if got := DNSRecordName("pg1", "private.postgres.flexpg.internal"); got != "pg1.private.postgres.flexpg.internal" {
		t.Errorf("DNSRecordName = %q", got)
	}
	if got := NormalizeDNSZoneName("DB.Postgres.flexpg.internal"); got != "db.postgres.flexpg.internal" {
		t.Errorf("NormalizeDNSZoneName = %q", got)
	}
	// A valid zone name round-trips through its ID, so the API can route by it.
	for _, zone := range []string{"db.postgres.flexpg.internal", "a-1.b.c"} {
		if got, err := ParsePrivateDNSZoneID(PrivateDNSZoneID(zone)); err != nil || got != zone {
			t.Errorf("zone %q does not round-trip: %q, %v", zone, got, err)
		}
	}
}
