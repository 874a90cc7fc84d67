package spec

import (
	"strings"
	"testing"
)

func TestValidateVirtualNetworkName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"vnet1", ""},
		{"My.VNet-01_", ""},
		{"v1", ""},
		{strings.Repeat("v", 64), ""},
		{"v", "name.length"},
		{"", "name.length"},
		{strings.Repeat("v", 65), "name.length"},
		{"-vnet", "name.start_end"},
		{"_vnet", "name.start_end"},
		{"vnet.", "name.start_end"},
		{"vnet-", "name.start_end"},
		{"..", "name.start_end"},
		{"my vnet", "name.characters"},
		{"vnet/1", "name.characters"},
		{"vnet\x00", "name.characters"},
		{"vnét", "name.characters"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateVirtualNetworkName("+quote(c.in)+")", ValidateVirtualNetworkName(c.in), c.rule)
	}
}

func TestValidateSubnetName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"db", ""},
		{"d", ""},
		{"db_", ""},
		{"Gateway", ""},
		{"GatewaySubnet2", ""},
		{strings.Repeat("s", 80), ""},
		{"", "name.length"},
		{strings.Repeat("s", 81), "name.length"},
		{".db", "name.start_end"},
		{"db-", "name.start_end"},
		{"db subnet", "name.characters"},
		{"AzureFirewallSubnet", "name.reserved"},
		{"azurefirewallsubnet", "name.reserved"},
		{"AZUREFIREWALLMANAGEMENTSUBNET", "name.reserved"},
		{"AzureBastionSubnet", "name.reserved"},
		{"gatewaySUBNET", "name.reserved"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateSubnetName("+quote(c.in)+")", ValidateSubnetName(c.in), c.rule)
	}
	e := ValidateSubnetName("gatewaysubnet")
	if e == nil || !strings.Contains(e.Message, "reserved by the platform") {
		t.Errorf("reserved-name message must say the name is reserved by the platform: %v", e)
	}
	if len(ReservedSubnetNames()) != 4 {
		t.Errorf("ReservedSubnetNames = %v, want the four platform names", ReservedSubnetNames())
	}
}

func TestValidateLinkName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"link1", ""},
		{"_vnet1.link_", ""},
		{"l", ""},
		{strings.Repeat("l", 80), ""},
		{"", "name.length"},
		{strings.Repeat("l", 81), "name.length"},
		{".", "name.start_end"},
		{"..", "name.start_end"},
		{"-link", "name.start_end"},
		{"link.", "name.start_end"},
		{"link/1", "name.characters"},
		{"link\n", "name.characters"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateLinkName("+quote(c.in)+")", ValidateLinkName(c.in), c.rule)
	}
}

func TestValidateDelegation(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"", ""},
		{DelegationFlexibleServers, ""},
		{"Microsoft.DBforPostgreSQL/flexibleServers", ""},
		{"microsoft.dbforpostgresql/flexibleservers", "delegation.allowed_values"},
		{"Microsoft.Sql/managedInstances", "delegation.allowed_values"},
		{"Microsoft.DBforPostgreSQL/flexibleServers\n", "delegation.allowed_values"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateDelegation("+quote(c.in)+")", ValidateDelegation(c.in), c.rule)
	}
	if e := ValidateDelegation("microsoft.dbforpostgresql/flexibleservers"); !strings.Contains(e.Message, "did you mean "+DelegationFlexibleServers) {
		t.Errorf("a wrongly cased delegation must get a hint: %q", e.Message)
	}
	if d := Delegations(); len(d) != 1 || d[0] != DelegationFlexibleServers {
		t.Errorf("Delegations = %v", d)
	}
}

func TestValidateDelegationChange(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		servers  []string
		rule     string
	}{
		{"unchanged with servers", DelegationFlexibleServers, DelegationFlexibleServers, []string{"pg1"}, ""},
		{"removed without servers", DelegationFlexibleServers, "", nil, ""},
		{"added", "", DelegationFlexibleServers, nil, ""},
		{"removed with servers", DelegationFlexibleServers, "", []string{"pg2", "pg1"}, "delegation.in_use"},
	}
	for _, c := range cases {
		checkRule(t, c.name, ValidateDelegationChange(c.old, c.new, c.servers), c.rule)
	}
	if e := ValidateDelegationChange(DelegationFlexibleServers, "", []string{"pg2", "pg1"}); !strings.Contains(e.Message, "(pg1, pg2)") {
		t.Errorf("message must name the servers: %q", e.Message)
	}
}
