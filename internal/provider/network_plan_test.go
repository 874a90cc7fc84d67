package provider_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Plan-time rules of the network resources and of a private-access server. No cloud is needed: every refusal
// here comes from the configuration alone, with the attribute (the line of configuration) it is about.

const (
	vnetAddr   = "flexpg_virtual_network.test"
	subnetAddr = "flexpg_subnet.test"
	zoneAddr   = "flexpg_private_dns_zone.test"
	linkAddr   = "flexpg_private_dns_zone_virtual_network_link.test"
)

// networkPlanNames are the names the plan-only configurations use.
type networkPlanNames struct {
	vnet, subnet, zone, link string
}

var planNames = networkPlanNames{vnet: "vnet1", subnet: "db", zone: "corp.postgres.flexpg.internal", link: "corp-vnet1"}

func TestPlanNetworkRefusals(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   string
	}{
		{"reserved subnet name", subnetHCL(map[string]string{"name": `"GatewaySubnet"`}),
			`name\s+= "GatewaySubnet"[\s\S]*"GatewaySubnet" is reserved by the platform`},
		{"reserved subnet name in another case", subnetHCL(map[string]string{"name": `"azurebastionsubnet"`}),
			`name\s+= "azurebastionsubnet"[\s\S]*is reserved by the platform`},
		{"subnet name with a space", subnetHCL(map[string]string{"name": `"my subnet"`}),
			`name\s+= "my subnet"[\s\S]*may contain only letters, digits, underscores, periods and hyphens`},
		{"prefix not CIDR", subnetHCL(map[string]string{"address_prefix": `"10.20.1.0"`}),
			`address_prefix\s+= "10.20.1.0"[\s\S]*must be an IPv4 CIDR block such as 10.0.0.0/16`},
		{"prefix not canonical", subnetHCL(map[string]string{"address_prefix": `"10.20.1.7/24"`}),
			`address_prefix\s+= "10.20.1.7/24"[\s\S]*canonical form 10.20.1.0/24`},
		{"prefix too small", subnetHCL(map[string]string{"address_prefix": `"10.20.1.0/30"`}),
			`address_prefix\s+= "10.20.1.0/30"[\s\S]*prefix length between /8 and /29`},
		{"prefix public", subnetHCL(map[string]string{"address_prefix": `"8.8.8.0/24"`}),
			`address_prefix\s+= "8.8.8.0/24"[\s\S]*is not in a private range`},
		{"prefix IPv6", subnetHCL(map[string]string{"address_prefix": `"fd00::/64"`}),
			`address_prefix\s+= "fd00::/64"[\s\S]*IPv6 is not supported`},
		{"bad delegation", subnetHCL(map[string]string{"delegation": `"Microsoft.Sql/servers"`}),
			`delegation\s+= "Microsoft.Sql/servers"[\s\S]*must be Microsoft.DBforPostgreSQL/flexibleServers`},
		{"delegation in the wrong case", subnetHCL(map[string]string{"delegation": `"microsoft.dbforpostgresql/flexibleservers"`}),
			`did you mean Microsoft.DBforPostgreSQL/flexibleServers\? \(the value is case-sensitive\)`},
		{"subnet vnet id not an ID", subnetHCL(map[string]string{"virtual_network_id": `"vnet1"`}),
			`virtual_network_id\s+= "vnet1"[\s\S]*must be a virtual network ID of the form /virtualNetworks/<vnet>`},
		{"vnet name", vnetHCL(map[string]string{"name": `"-vnet"`}),
			`name\s+= "-vnet"[\s\S]*must start with a letter or digit`},
		{"vnet location", vnetHCL(map[string]string{"location": `"West Europe"`}),
			`location\s+= "West Europe"[\s\S]*must be the short name of a catalog region`},
		{"address space empty", vnetHCL(map[string]string{"address_space": `[]`}),
			`address_space\s+= \[\][\s\S]*must hold at least one CIDR block`},
		{"address space overlap", vnetHCL(map[string]string{"address_space": `["10.20.0.0/16", "10.20.5.0/24"]`}),
			`address_space[\s\S]*blocks 10.20.0.0/16 and 10.20.5.0/24 overlap`},
		{"address space not CIDR", vnetHCL(map[string]string{"address_space": `["10.20.0.0"]`}),
			`address_space[\s\S]*must be an IPv4 CIDR block`},
		{"zone name one label", zoneHCL("corp"),
			`name\s+= "corp"[\s\S]*must have at least two labels`},
		{"zone name underscore", zoneHCL("my_zone.postgres.flexpg.internal"),
			`name\s+= "my_zone.postgres.flexpg.internal"[\s\S]*may contain only letters, digits, hyphens`},
		{"zone name trailing period", zoneHCL("corp.postgres.flexpg.internal."),
			`must be written without a trailing period`},
		{"link name", linkHCL(map[string]string{"name": `"-link-"`}),
			`name\s+= "-link-"[\s\S]*must start with a letter, digit or underscore`},
		{"link zone id not an ID", linkHCL(map[string]string{"private_dns_zone_id": `"corp.postgres.flexpg.internal"`}),
			`private_dns_zone_id\s+= "corp.postgres.flexpg.internal"[\s\S]*must be a private DNS zone ID of the form`},
		{"link vnet id not an ID", linkHCL(map[string]string{"virtual_network_id": `"/virtualNetworks/"`}),
			`virtual_network_id\s+= "/virtualNetworks/"[\s\S]*must be a virtual network ID`},
		{"server subnet without zone", privateServerHCL(map[string]string{"private_dns_zone_id": ""}),
			`private_dns_zone_id is required when delegated_subnet_id is set`},
		{"server zone without subnet", privateServerHCL(map[string]string{"delegated_subnet_id": ""}),
			`delegated_subnet_id is required when private_dns_zone_id is set`},
		{"server subnet id not an ID", privateServerHCL(map[string]string{"delegated_subnet_id": `"/virtualNetworks/vnet1"`}),
			`delegated_subnet_id\s+= "/virtualNetworks/vnet1"[\s\S]*must be a subnet ID of the form`},
		{"private server with public access", privateServerHCL(map[string]string{"public_network_access_enabled": "true"}),
			`public_network_access_enabled\s+= true[\s\S]*must be false for a private-access server`},
		{"server zone by literal ID without the suffix", privateServerHCL(map[string]string{"private_dns_zone_id": `"/privateDnsZones/example.com"`}),
			`private_dns_zone_id\s+= "/privateDnsZones/example.com"[\s\S]*must name a private DNS zone whose name ends in .postgres.flexpg.internal`},
		{"server zone resource without the suffix", privateAccessHCL(networkPlanNames{vnet: "vnet1", subnet: "db", zone: "example.com", link: "l"}, nil),
			`private_dns_zone_id\s+= flexpg_private_dns_zone.test.id[\s\S]*must name a private DNS zone whose name ends in .postgres.flexpg.internal,[\s\S]*got zone "example.com"`},
		{"server zone resource is the server's FQDN", privateAccessHCL(networkPlanNames{vnet: "vnet1", subnet: "db", zone: "plan-test.postgres.flexpg.internal", link: "l"}, nil),
			`private_dns_zone_id\s+= flexpg_private_dns_zone.test.id[\s\S]*must not name the zone "plan-test.postgres.flexpg.internal", which is the server's own FQDN`},
		{"server zone is the FQDN in another case", privateServerHCL(map[string]string{"private_dns_zone_id": `"/privateDnsZones/Plan-Test.postgres.flexpg.internal"`}),
			`which is the server's own FQDN`},
		{"server zone in the writer namespace", privateServerHCL(map[string]string{"private_dns_zone_id": `"/privateDnsZones/x.writer.postgres.flexpg.internal"`}),
			`must not name a zone at or under writer.postgres.flexpg.internal`},
		{"server subnet resource with reserved name", privateAccessHCL(networkPlanNames{vnet: "vnet1", subnet: "GatewaySubnet", zone: planNames.zone, link: "l"}, nil),
			`"GatewaySubnet" is reserved by the platform`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tt.config,
					PlanOnly:    true,
					ExpectError: wrapTolerant(tt.want),
				}},
			})
		})
	}
}

// TestPlanPrivateAccess plans the whole private-access setup: every ID is known before apply, so the server's
// delegated_subnet_id and private_dns_zone_id are known and its network rules ran. It needs no cloud.
func TestPlanPrivateAccess(t *testing.T) {
	home := t.TempDir()
	t.Setenv("FLEXPG_HOME", home)
	t.Setenv(provider.EnvEndpoint, "")
	t.Setenv(provider.EnvToken, "")
	t.Cleanup(func() {
		if entries, err := os.ReadDir(home); err != nil || len(entries) != 0 {
			t.Errorf("planning touched the local cloud's home (%d entries, err %v); the client must be lazy", len(entries), err)
		}
	})
	n := planNames
	subnetID := spec.SubnetID(n.vnet, n.subnet)
	zoneID := spec.PrivateDNSZoneID(n.zone)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             privateAccessHCL(n, nil),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.VirtualNetworkID(n.vnet))),
					plancheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(subnetID)),
					plancheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("id"), knownvalue.StringExact(zoneID)),
					plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.PrivateDNSZoneLinkID(n.zone, n.link))),
					plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("registration_enabled"), knownvalue.Bool(false)),
					plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.StringExact(subnetID)),
					plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("private_dns_zone_id"), knownvalue.StringExact(zoneID)),
					plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
					plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate),
				},
			},
		}},
	})
}

// TestPlanZoneIDIsLowercase: zone names are case-insensitive and the cloud stores them in lowercase, so the
// planned ID (what a server references) is lowercase whatever the configuration's spelling.
func TestPlanZoneIDIsLowercase(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             zoneHCL("Corp.Postgres.flexpg.internal"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("id"), knownvalue.StringExact("/privateDnsZones/corp.postgres.flexpg.internal")),
					plancheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("name"), knownvalue.StringExact("Corp.Postgres.flexpg.internal")),
				},
			},
		}},
	})
}

// hclResource renders a resource block with attrs in sorted order; a "" value removes the attribute.
func hclResource(typ string, attrs, overrides map[string]string, extra string) string {
	merged := mergeAttrs(attrs, nil)
	for k, v := range overrides {
		if v == "" {
			delete(merged, k)
			continue
		}
		merged[k] = v
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nresource %q \"test\" {\n", typ)
	for _, k := range sortedKeys(merged) {
		fmt.Fprintf(&b, "  %s = %s\n", k, merged[k])
	}
	if extra != "" {
		b.WriteString("  " + extra + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func vnetHCL(overrides map[string]string) string {
	return hclResource("flexpg_virtual_network", map[string]string{
		"name":          `"vnet1"`,
		"location":      `"westeurope"`,
		"address_space": `["10.20.0.0/16"]`,
	}, overrides, "")
}

func subnetHCL(overrides map[string]string) string {
	return hclResource("flexpg_subnet", map[string]string{
		"name":               `"db"`,
		"virtual_network_id": `"/virtualNetworks/vnet1"`,
		"address_prefix":     `"10.20.1.0/24"`,
		"delegation":         `"Microsoft.DBforPostgreSQL/flexibleServers"`,
	}, overrides, "")
}

func zoneHCL(name string) string {
	return hclResource("flexpg_private_dns_zone", map[string]string{"name": fmt.Sprintf("%q", name)}, nil, "")
}

func linkHCL(overrides map[string]string) string {
	return hclResource("flexpg_private_dns_zone_virtual_network_link", map[string]string{
		"name":                `"corp-vnet1"`,
		"private_dns_zone_id": `"/privateDnsZones/corp.postgres.flexpg.internal"`,
		"virtual_network_id":  `"/virtualNetworks/vnet1"`,
	}, overrides, "")
}

// privateServerHCL is a private-access server that names its subnet and zone by literal IDs.
func privateServerHCL(overrides map[string]string) string {
	return serverHCL(mergeAttrs(map[string]string{
		"delegated_subnet_id": `"/virtualNetworks/vnet1/subnets/db"`,
		"private_dns_zone_id": `"/privateDnsZones/corp.postgres.flexpg.internal"`,
	}, overrides), "")
}

// privateAccessHCL is the whole private-access setup: a network, a delegated subnet, a zone linked to the
// network, and a server (serverAttrs override its attributes) in the subnet and zone.
func privateAccessHCL(n networkPlanNames, serverAttrs map[string]string) string {
	return defaultPrivateNet(n.vnet, n.subnet, n.zone, n.link).hcl() + "\n" +
		serverHCL(mergeAttrs(privateServerAttrs(), serverAttrs), privateServerDependsOn)
}
