package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestIDs(t *testing.T) {
	builds := map[string]string{
		ServerID("pg1"):                                         "/flexibleServers/pg1",
		FirewallRuleID("pg1", "office"):                         "/flexibleServers/pg1/firewallRules/office",
		ConfigurationID("pg1", "max_connections"):               "/flexibleServers/pg1/configurations/max_connections",
		DatabaseID("pg1", "app"):                                "/flexibleServers/pg1/databases/app",
		VirtualNetworkID("v1"):                                  "/virtualNetworks/v1",
		SubnetID("v1", "s1"):                                    "/virtualNetworks/v1/subnets/s1",
		PrivateDNSZoneID("a.postgres.flexpg.internal"):          "/privateDnsZones/a.postgres.flexpg.internal",
		PrivateDNSZoneLinkID("a.postgres.flexpg.internal", "l"): "/privateDnsZones/a.postgres.flexpg.internal/virtualNetworkLinks/l",
	}
	for got, want := range builds {
		if got != want {
			t.Errorf("built %q, want %q", got, want)
		}
	}
	if n, err := ParseServerID("/flexibleServers/pg1"); err != nil || n != "pg1" {
		t.Errorf("ParseServerID = %q, %v", n, err)
	}
	for _, coll := range ServerChildCollections() {
		s, n, err := ParseChildID(ServerID("pg1")+"/"+coll+"/x.y", coll)
		if err != nil || s != "pg1" || n != "x.y" {
			t.Errorf("ParseChildID(%s) = %q, %q, %v", coll, s, n, err)
		}
	}
	if v, s, err := ParseSubnetID(SubnetID("v1", "s1")); err != nil || v != "v1" || s != "s1" {
		t.Errorf("ParseSubnetID = %q %q %v", v, s, err)
	}
	if v, err := ParseVirtualNetworkID(VirtualNetworkID("v1")); err != nil || v != "v1" {
		t.Errorf("ParseVirtualNetworkID = %q %v", v, err)
	}
	if z, err := ParsePrivateDNSZoneID(PrivateDNSZoneID("z.x")); err != nil || z != "z.x" {
		t.Errorf("ParsePrivateDNSZoneID = %q %v", z, err)
	}
	if z, l, err := ParsePrivateDNSZoneLinkID(PrivateDNSZoneLinkID("z.x", "l1")); err != nil || z != "z.x" || l != "l1" {
		t.Errorf("ParsePrivateDNSZoneLinkID = %q %q %v", z, l, err)
	}
}

func TestParseIDErrors(t *testing.T) {
	bad := []string{"", "pg1", "flexibleServers/pg1", "/flexibleServers/", "/flexibleservers/pg1",
		"/flexibleServers/pg1/", "/flexibleServers/pg1/databases/db", "/flexibleServers/p\ng"}
	for _, id := range bad {
		_, err := ParseServerID(id)
		if err == nil || !errors.Is(err, ErrInvalidID) || !strings.Contains(err.Error(), "/flexibleServers/<name>") {
			t.Errorf("ParseServerID(%q) = %v; want an ErrInvalidID naming the grammar", id, err)
		}
	}
	childBad := []string{"/flexibleServers/pg1", "/flexibleServers/pg1/databases/db",
		"/flexibleServers/pg1/firewallRules/", "/flexibleServers//firewallRules/r"}
	for _, id := range childBad {
		_, _, err := ParseChildID(id, CollectionFirewallRules)
		if err == nil || !strings.Contains(err.Error(), "/flexibleServers/<server>/firewallRules/<name>") {
			t.Errorf("ParseChildID(%q) = %v; want the grammar in the error", id, err)
		}
	}
	if _, _, err := ParseChildID("/flexibleServers/pg1/widgets/w", "widgets"); !errors.Is(err, ErrInvalidID) {
		t.Errorf("unknown collection must fail, got %v", err)
	}
	if _, _, err := ParseSubnetID("/virtualNetworks/v1"); err == nil {
		t.Error("a VNet ID is not a subnet ID")
	}
}
