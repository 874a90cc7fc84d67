package spec

import (
	"strings"
	"testing"
)

func TestValidateServerSubnet(t *testing.T) {
	cases := []struct{ delegation, rule string }{
		{DelegationFlexibleServers, ""},
		{"", "delegated_subnet_id.delegation"},
		{"Microsoft.Sql/managedInstances", "delegated_subnet_id.delegation"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateServerSubnet("+quote(c.delegation)+")", ValidateServerSubnet(c.delegation), c.rule)
	}
	if e := ValidateServerSubnet(""); !strings.Contains(e.Message, `Set delegation = "`+DelegationFlexibleServers+`"`) {
		t.Errorf("message must say how to fix: %q", e.Message)
	}
}

func TestValidateVNetRegion(t *testing.T) {
	cases := []struct{ vnet, server, rule string }{
		{"eastus", "eastus", ""},
		{"", "eastus", ""},
		{"eastus", "", ""},
		{"westus", "eastus", "delegated_subnet_id.region"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateVNetRegion("+c.vnet+", "+c.server+")", ValidateVNetRegion(c.vnet, c.server), c.rule)
	}
	if e := ValidateVNetRegion("westus", "eastus"); !strings.Contains(e.Message, "region eastus; the virtual network is in westus") {
		t.Errorf("message must name both regions: %q", e.Message)
	}
}

func TestValidateFirewallRuleTarget(t *testing.T) {
	checkRule(t, "public server", ValidateFirewallRuleTarget(false), "")
	checkRule(t, "private server", ValidateFirewallRuleTarget(true), "server_id.private_server")
}

// TestValidateServerNetwork covers the private-access rules ValidateServer runs.
func TestValidateServerNetwork(t *testing.T) {
	subnet, zone := SubnetID("vnet1", "db"), PrivateDNSZoneID("private.postgres.flexpg.internal")
	cases := []struct {
		name  string
		edit  func(*ServerConfig)
		rules []string
	}{
		{"public", func(*ServerConfig) {}, nil},
		{"public with public access off", func(c *ServerConfig) { c.PublicNetworkAccessEnabled = false }, nil},
		{"private", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PrivateDNSZoneID, c.PublicNetworkAccessEnabled = subnet, zone, false
		}, nil},
		{"private with public access", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PrivateDNSZoneID = subnet, zone
		}, []string{"public_network_access_enabled.private_server"}},
		{"subnet without zone", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PublicNetworkAccessEnabled = subnet, false
		}, []string{"private_dns_zone_id.required"}},
		{"zone without subnet", func(c *ServerConfig) { c.PrivateDNSZoneID = zone },
			[]string{"delegated_subnet_id.required"}},
		{"zone without subnet, public access off", func(c *ServerConfig) {
			c.PrivateDNSZoneID, c.PublicNetworkAccessEnabled = zone, false
		}, []string{"delegated_subnet_id.required"}},
		{"VNet ID as subnet", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PrivateDNSZoneID, c.PublicNetworkAccessEnabled = VirtualNetworkID("vnet1"), zone, false
		}, []string{"delegated_subnet_id.format"}},
		{"link ID as zone", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PublicNetworkAccessEnabled = subnet, false
			c.PrivateDNSZoneID = PrivateDNSZoneLinkID("private.postgres.flexpg.internal", "l1")
		}, []string{"private_dns_zone_id.format"}},
		{"zone with the wrong suffix", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PublicNetworkAccessEnabled = subnet, false
			c.PrivateDNSZoneID = PrivateDNSZoneID("privatelink.postgres.database.azure.com")
		}, []string{"private_dns_zone_id.suffix"}},
		{"zone is the server FQDN", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PublicNetworkAccessEnabled = subnet, false
			c.PrivateDNSZoneID = PrivateDNSZoneID(ServerFQDN(c.Name))
		}, []string{"private_dns_zone_id.server_fqdn"}},
		{"zone is the server FQDN, name unknown", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PublicNetworkAccessEnabled = subnet, false
			c.PrivateDNSZoneID, c.Name = PrivateDNSZoneID(ServerFQDN("pg1")), ""
		}, []string{"name.required"}},
	}
	for _, c := range cases {
		cfg := validServer()
		c.edit(&cfg)
		checkRules(t, c.name, ValidateServer(cfg), c.rules...)
	}
	// At plan time an unknown subnet ID is empty; dropping it must leave no error about the pair.
	cfg := validServer()
	cfg.PrivateDNSZoneID, cfg.PublicNetworkAccessEnabled = zone, false
	if errs := ValidateServer(cfg).Without("delegated_subnet_id"); len(errs) != 0 {
		t.Errorf("errors left with an unknown subnet: %v", errs)
	}
}
