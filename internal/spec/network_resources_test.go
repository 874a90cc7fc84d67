package spec

import (
	"strings"
	"testing"
)

func TestValidateVirtualNetwork(t *testing.T) {
	valid := VirtualNetworkConfig{Name: "vnet1", Location: "eastus", AddressSpace: []string{"10.0.0.0/16"}}
	cases := []struct {
		name  string
		edit  func(*VirtualNetworkConfig)
		rules []string
	}{
		{"valid", func(*VirtualNetworkConfig) {}, nil},
		{"missing everything", func(c *VirtualNetworkConfig) { *c = VirtualNetworkConfig{} },
			[]string{"name.required", "location.required", "address_space.required"}},
		{"bad values", func(c *VirtualNetworkConfig) {
			c.Name, c.Location, c.AddressSpace = "-v", "moon", []string{"10.0.0.1/16", "8.8.8.0/24"}
		}, []string{"name.start_end", "location.catalog", "address_space.canonical", "address_space.private_range"}},
	}
	for _, c := range cases {
		cfg := valid
		c.edit(&cfg)
		checkRules(t, c.name, ValidateVirtualNetwork(cfg), c.rules...)
	}
}

func TestValidateSubnet(t *testing.T) {
	valid := SubnetConfig{Name: "db", VirtualNetworkID: VirtualNetworkID("vnet1"), AddressPrefix: "10.0.1.0/24",
		Delegation: DelegationFlexibleServers}
	cases := []struct {
		name  string
		edit  func(*SubnetConfig)
		rules []string
	}{
		{"valid", func(*SubnetConfig) {}, nil},
		{"valid without delegation", func(c *SubnetConfig) { c.Delegation = "" }, nil},
		{"missing everything", func(c *SubnetConfig) { *c = SubnetConfig{} },
			[]string{"name.required", "virtual_network_id.required", "address_prefix.required"}},
		{"bad values", func(c *SubnetConfig) {
			c.Name, c.VirtualNetworkID, c.AddressPrefix, c.Delegation = "GatewaySubnet", SubnetID("v", "s"), "10.0.1.0/30", "x"
		}, []string{"name.reserved", "virtual_network_id.format", "address_prefix.prefix_length", "delegation.allowed_values"}},
		{"network name invalid inside the ID", func(c *SubnetConfig) { c.VirtualNetworkID = VirtualNetworkID("..") },
			[]string{"virtual_network_id.format"}},
	}
	for _, c := range cases {
		cfg := valid
		c.edit(&cfg)
		checkRules(t, c.name, ValidateSubnet(cfg), c.rules...)
	}
}

func TestValidatePrivateDNSZoneLink(t *testing.T) {
	valid := PrivateDNSZoneLinkConfig{Name: "link1", PrivateDNSZoneID: PrivateDNSZoneID("private.postgres.flexpg.internal"),
		VirtualNetworkID: VirtualNetworkID("vnet1"), RegistrationEnabled: true}
	cases := []struct {
		name  string
		edit  func(*PrivateDNSZoneLinkConfig)
		rules []string
	}{
		{"valid", func(*PrivateDNSZoneLinkConfig) {}, nil},
		{"any zone name may be linked", func(c *PrivateDNSZoneLinkConfig) { c.PrivateDNSZoneID = PrivateDNSZoneID("example.com") }, nil},
		{"missing everything", func(c *PrivateDNSZoneLinkConfig) { *c = PrivateDNSZoneLinkConfig{} },
			[]string{"name.required", "private_dns_zone_id.required", "virtual_network_id.required"}},
		{"malformed IDs", func(c *PrivateDNSZoneLinkConfig) {
			c.Name, c.PrivateDNSZoneID, c.VirtualNetworkID = "-", "zone", "/virtualNetworks/"
		}, []string{"name.start_end", "private_dns_zone_id.format", "virtual_network_id.format"}},
		{"zone name invalid inside the ID", func(c *PrivateDNSZoneLinkConfig) { c.PrivateDNSZoneID = PrivateDNSZoneID("localhost") },
			[]string{"private_dns_zone_id.labels"}},
	}
	for _, c := range cases {
		cfg := valid
		c.edit(&cfg)
		checkRules(t, c.name, ValidatePrivateDNSZoneLink(cfg), c.rules...)
	}
}

func TestNetworkFieldTables(t *testing.T) {
	tables := map[string]struct {
		fields  []Field
		mutable []string
		count   int
	}{
		"virtual_network":  {VirtualNetworkFields().Fields, []string{"address_space"}, 3},
		"subnet":           {SubnetFields().Fields, []string{"address_prefix", "delegation"}, 4},
		"private_dns_zone": {PrivateDNSZoneFields().Fields, nil, 1},
		"link":             {PrivateDNSZoneLinkFields().Fields, []string{"registration_enabled"}, 4},
	}
	for name, table := range tables {
		if len(table.fields) != table.count {
			t.Errorf("%s: %d fields, want %d", name, len(table.fields), table.count)
		}
		mutable := strings.Join(table.mutable, ",")
		for _, f := range table.fields {
			if f.Immutable == strings.Contains(","+mutable+",", ","+f.Attribute+",") {
				t.Errorf("%s field %s: Immutable = %v", name, f.Attribute, f.Immutable)
			}
		}
	}
	// The server's network attributes: the pair replaces, public access stays mutable.
	want := map[string]bool{"delegated_subnet_id": true, "private_dns_zone_id": true, "public_network_access_enabled": false}
	for _, f := range ServerFields().Fields {
		if w, ok := want[f.Attribute]; ok && f.Immutable != w {
			t.Errorf("server field %s: Immutable = %v, want %v", f.Attribute, f.Immutable, w)
		}
	}
}
