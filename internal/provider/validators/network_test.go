package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestNetworkStringValidators(t *testing.T) {
	ctx := context.Background()
	name := path.Root("name")
	tests := []struct {
		name      string
		validator validator.String
		path      path.Path
		value     types.String
		wantError string // substring of the detail; "" means valid
	}{
		{"vnet name ok", VirtualNetworkName(), name, types.StringValue("vnet_1.a-b"), ""},
		{"vnet name too short", VirtualNetworkName(), name, types.StringValue("v"), "2 to 64 characters"},
		{"vnet name ends with period", VirtualNetworkName(), name, types.StringValue("vnet."), "end with a letter, digit or underscore"},
		{"subnet name ok", SubnetName(), name, types.StringValue("db"), ""},
		{"subnet name reserved", SubnetName(), name, types.StringValue("GatewaySubnet"), "reserved by the platform"},
		{"subnet name reserved any case", SubnetName(), name, types.StringValue("AZUREFIREWALLSUBNET"), "reserved by the platform"},
		{"subnet name unknown skipped", SubnetName(), name, types.StringUnknown(), ""},
		{"link name ok", LinkName(), name, types.StringValue("_link_"), ""},
		{"link name leading hyphen", LinkName(), name, types.StringValue("-link"), "must start with a letter, digit or underscore"},
		{"delegation ok", Delegation(), path.Root("delegation"), types.StringValue("Microsoft.DBforPostgreSQL/flexibleServers"), ""},
		{"delegation other service", Delegation(), path.Root("delegation"), types.StringValue("Microsoft.Web/serverFarms"), "must be Microsoft.DBforPostgreSQL/flexibleServers"},
		{"delegation null skipped", Delegation(), path.Root("delegation"), types.StringNull(), ""},
		{"prefix ok", AddressPrefix(), path.Root("address_prefix"), types.StringValue("10.20.1.0/24"), ""},
		{"prefix not CIDR", AddressPrefix(), path.Root("address_prefix"), types.StringValue("10.20.1.0"), "IPv4 CIDR block"},
		{"prefix host bits", AddressPrefix(), path.Root("address_prefix"), types.StringValue("10.20.1.1/24"), "canonical form 10.20.1.0/24"},
		{"prefix public", AddressPrefix(), path.Root("address_prefix"), types.StringValue("100.64.0.0/24"), "not in a private range"},
		{"zone ok", PrivateDNSZoneName(), name, types.StringValue("corp.postgres.flexpg.internal"), ""},
		{"zone any DNS name ok", PrivateDNSZoneName(), name, types.StringValue("example.com"), ""},
		{"zone one label", PrivateDNSZoneName(), name, types.StringValue("corp"), "at least two labels"},
		{"zone label hyphen", PrivateDNSZoneName(), name, types.StringValue("-corp.example.com"), "starts or ends with a hyphen"},
		{"vnet id ok", VirtualNetworkID(), path.Root("virtual_network_id"), types.StringValue("/virtualNetworks/vnet1"), ""},
		{"vnet id subnet", VirtualNetworkID(), path.Root("virtual_network_id"), types.StringValue("/virtualNetworks/vnet1/subnets/db"), "must be a virtual network ID"},
		{"vnet id bad name", VirtualNetworkID(), path.Root("virtual_network_id"), types.StringValue("/virtualNetworks/-x"), "must be a virtual network ID"},
		{"zone id ok", PrivateDNSZoneID(), path.Root("private_dns_zone_id"), types.StringValue("/privateDnsZones/corp.postgres.flexpg.internal"), ""},
		{"zone id bare name", PrivateDNSZoneID(), path.Root("private_dns_zone_id"), types.StringValue("corp.postgres.flexpg.internal"), "must be a private DNS zone ID"},
		{"zone id bad zone", PrivateDNSZoneID(), path.Root("private_dns_zone_id"), types.StringValue("/privateDnsZones/corp"), "at least two labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validator.StringRequest{Path: tt.path, PathExpression: tt.path.Expression(), ConfigValue: tt.value}
			resp := &validator.StringResponse{}
			tt.validator.ValidateString(ctx, req, resp)
			assertDiagnostic(t, resp.Diagnostics.Errors(), tt.path, tt.wantError)
		})
	}
}

func TestAddressSpaceValidator(t *testing.T) {
	ctx := context.Background()
	p := path.Root("address_space")
	list := func(values ...attr.Value) types.List { return types.ListValueMust(types.StringType, values) }
	s := types.StringValue
	tests := []struct {
		name      string
		value     types.List
		wantError string
	}{
		{"one block", list(s("10.0.0.0/16")), ""},
		{"two disjoint blocks", list(s("10.0.0.0/16"), s("192.168.0.0/24")), ""},
		{"empty", list(), "at least one CIDR block"},
		{"overlap", list(s("10.0.0.0/16"), s("10.0.128.0/17")), "overlap"},
		{"duplicate", list(s("10.0.0.0/16"), s("10.0.0.0/16")), "twice"},
		{"invalid block", list(s("10.0.0.0/33")), "IPv4 CIDR block"},
		{"null element", list(types.StringNull()), "IPv4 CIDR block"},
		{"unknown element skipped", list(types.StringUnknown()), ""},
		{"known block beside an unknown one", list(types.StringUnknown(), s("8.8.8.0/24")), "not in a private range"},
		{"unknown list skipped", types.ListUnknown(types.StringType), ""},
		{"null list skipped", types.ListNull(types.StringType), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validator.ListRequest{Path: p, PathExpression: p.Expression(), ConfigValue: tt.value}
			resp := &validator.ListResponse{}
			AddressSpace().ValidateList(ctx, req, resp)
			assertDiagnostic(t, resp.Diagnostics.Errors(), p, tt.wantError)
		})
	}
}
