package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Acceptance tests of the network resources (TF_ACC=1). Subnets become bridge networks on this machine, so
// the tests use blocks of 10.213.0.0/16, which nothing else here is expected to use.

func accTestCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckDestroy,
		Steps:                    steps,
	}
}

// accNet is a network of the acceptance tests: only the virtual network unless more names are set.
func accNet(vnet string) privateNet {
	return privateNet{VNet: vnet, Location: "westeurope", AddressSpace: []string{"10.213.0.0/20"}}
}

// accZone is a random zone name a server may use.
func accZone() string { return acctest.RandomName("zone") + "." + spec.DNSSuffix }

func TestAccVirtualNetwork_basic(t *testing.T) {
	vnet := acctest.RandomName("vnet")
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: accNet(vnet).hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.VirtualNetworkID(vnet))),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.VirtualNetworkID(vnet))),
				statecheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("location"), knownvalue.StringExact("westeurope")),
				statecheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("address_space"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("10.213.0.0/20")})),
			},
		},
		resource.TestStep{
			ResourceName:      vnetAddr,
			ImportState:       true,
			ImportStateId:     spec.VirtualNetworkID(vnet),
			ImportStateVerify: true,
		},
		resource.TestStep{
			ResourceName:  vnetAddr,
			ImportState:   true,
			ImportStateId: vnet, // a bare name is not an ID
			ExpectError:   regexp.MustCompile(`Invalid Import ID`),
		},
	))
}

// TestAccVirtualNetwork_update grows the address space in place, then moves the network to another region,
// which replaces it.
func TestAccVirtualNetwork_update(t *testing.T) {
	vnet := acctest.RandomName("vnet")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	grown := accNet(vnet)
	grown.AddressSpace = []string{"10.213.0.0/20", "10.213.64.0/20"}
	moved := grown
	moved.Location = "northeurope"
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config:            accNet(vnet).hcl(),
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(vnetAddr, tfjsonpath.New("id"))},
		},
		resource.TestStep{
			Config: grown.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(vnetAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("address_space"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("10.213.0.0/20"), knownvalue.StringExact("10.213.64.0/20"),
				})),
			},
		},
		resource.TestStep{
			Config: moved.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("location"), knownvalue.StringExact("northeurope")),
			},
		},
	))
}

func TestAccSubnet_basic(t *testing.T) {
	vnet, subnet := acctest.RandomName("vnet"), acctest.RandomName("snet")
	net := accNet(vnet)
	net.Subnet, net.Prefix, net.Delegation = subnet, "10.213.1.0/24", spec.DelegationFlexibleServers
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.SubnetID(vnet, subnet))),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.SubnetID(vnet, subnet))),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("virtual_network_id"), knownvalue.StringExact(spec.VirtualNetworkID(vnet))),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("address_prefix"), knownvalue.StringExact("10.213.1.0/24")),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("delegation"), knownvalue.StringExact(spec.DelegationFlexibleServers)),
			},
		},
		resource.TestStep{
			ResourceName:      subnetAddr,
			ImportState:       true,
			ImportStateId:     spec.SubnetID(vnet, subnet),
			ImportStateVerify: true,
		},
	))
}

// TestAccSubnet_update resizes an unused subnet and delegates it in place, refuses a prefix outside the
// address space on the attribute, and replaces the subnet when it is renamed.
func TestAccSubnet_update(t *testing.T) {
	vnet, first, second := acctest.RandomName("vnet"), acctest.RandomName("snet"), acctest.RandomName("snet")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	net := accNet(vnet)
	net.Subnet, net.Prefix = first, "10.213.2.0/24"
	resized := net
	resized.Prefix, resized.Delegation = "10.213.2.0/25", spec.DelegationFlexibleServers
	outside := resized
	outside.Prefix = "10.214.0.0/24"
	renamed := resized
	renamed.Subnet = second
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: net.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(subnetAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("delegation"), knownvalue.Null()),
			},
		},
		resource.TestStep{
			Config: resized.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(subnetAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("address_prefix"), knownvalue.StringExact("10.213.2.0/25")),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("delegation"), knownvalue.StringExact(spec.DelegationFlexibleServers)),
			},
		},
		resource.TestStep{
			Config:      outside.hcl(),
			ExpectError: wrapTolerant(`address_prefix\s+= "10.214.0.0/24"[\s\S]*is not inside the virtual network's address_space`),
		},
		resource.TestStep{
			Config: renamed.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.SubnetID(vnet, second))),
			},
			Check: acctest.CheckSubnetDestroyed(vnet, first),
		},
	))
}

func TestAccPrivateDNSZone_basic(t *testing.T) {
	zone := accZone()
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: zoneHCL(zone),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.PrivateDNSZoneID(zone))),
				statecheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("name"), knownvalue.StringExact(zone)),
			},
		},
		resource.TestStep{
			ResourceName:      zoneAddr,
			ImportState:       true,
			ImportStateId:     spec.PrivateDNSZoneID(zone),
			ImportStateVerify: true,
		},
	))
}

// TestAccPrivateDNSZoneLink_basic links a zone to a network, imports the link, turns registration on in
// place, and moves the link to another network, which replaces it.
func TestAccPrivateDNSZoneLink_basic(t *testing.T) {
	vnet, other, zone, link := acctest.RandomName("vnet"), acctest.RandomName("vnet"), accZone(), acctest.RandomName("link")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	net := accNet(vnet)
	net.Zone, net.Link = zone, link
	otherHCL := fmt.Sprintf(`
resource "flexpg_virtual_network" "other" {
  name          = %q
  location      = "westeurope"
  address_space = ["10.213.16.0/20"]
}
`, other)
	registered := net
	registered.Registration = true
	moved := registered
	moved.LinkVNetID = "flexpg_virtual_network.other.id"
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: net.hcl() + otherHCL,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.PrivateDNSZoneLinkID(zone, link))),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("private_dns_zone_id"), knownvalue.StringExact(spec.PrivateDNSZoneID(zone))),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("virtual_network_id"), knownvalue.StringExact(spec.VirtualNetworkID(vnet))),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("registration_enabled"), knownvalue.Bool(false)),
			},
		},
		resource.TestStep{
			ResourceName:      linkAddr,
			ImportState:       true,
			ImportStateId:     spec.PrivateDNSZoneLinkID(zone, link),
			ImportStateVerify: true,
		},
		resource.TestStep{
			Config: registered.hcl() + otherHCL,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("registration_enabled"), knownvalue.Bool(true)),
			},
		},
		resource.TestStep{
			Config: moved.hcl() + otherHCL,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("virtual_network_id"), knownvalue.StringExact(spec.VirtualNetworkID(other))),
			},
		},
	))
}

// TestAccServer_privateAccess moves a public server into a delegated subnet (a replacement: the network mode
// never changes in place), then checks what the cloud refuses while the server uses its subnet and zone:
// deleting them (directly through the API and through Terraform) and resizing the subnet.
func TestAccServer_privateAccess(t *testing.T) {
	server, vnet, subnet, zone, link := acctest.RandomName("priv"), acctest.RandomName("vnet"),
		acctest.RandomName("snet"), accZone(), acctest.RandomName("link")
	net := accNet(vnet)
	net.Subnet, net.Prefix, net.Delegation, net.Zone, net.Link = subnet, "10.213.3.0/24", spec.DelegationFlexibleServers, zone, link
	subnetID, zoneID := spec.SubnetID(vnet, subnet), spec.PrivateDNSZoneID(zone)
	public := testAccServerHCL(server, nil, "") + net.hcl()
	private := testAccServerHCL(server, privateServerAttrs(), privateServerDependsOn) + net.hcl()
	// The server names its subnet and zone by literal IDs, so the subnet can leave the configuration alone.
	literal := testAccServerHCL(server, map[string]string{
		"delegated_subnet_id":           fmt.Sprintf("%q", subnetID),
		"private_dns_zone_id":           fmt.Sprintf("%q", zoneID),
		"public_network_access_enabled": "false",
	}, "")
	withoutSubnet := net
	withoutSubnet.Subnet = ""
	resized := net
	resized.Prefix = "10.213.4.0/24"
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: public,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("host"), knownvalue.StringExact("127.0.0.1")),
			},
		},
		resource.TestStep{
			Config: private,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.StringExact(subnetID)),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("private_dns_zone_id"), knownvalue.StringExact(zoneID)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.StringExact(subnetID)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("private_dns_zone_id"), knownvalue.StringExact(zoneID)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("fqdn"), knownvalue.StringExact(spec.ServerFQDN(server))),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("host"), knownvalue.Null()),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("port"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				acctest.CheckServerExists(server, spec.StateReady),
				acctest.CheckSubnetDeleteRefused(vnet, subnet, server),
				acctest.CheckPrivateDNSZoneDeleteRefused(zone, server),
			),
		},
		resource.TestStep{
			Config:           literal + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			// Terraform destroys the subnet the server still uses: refused, naming the server.
			Config:      literal + withoutSubnet.hcl(),
			ExpectError: wrapTolerant(`Subnet In Use[\s\S]*used by server ` + server),
		},
		resource.TestStep{
			// The refused subnet is still tracked and unchanged.
			Config:           literal + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			Config:      testAccServerHCL(server, privateServerAttrs(), privateServerDependsOn) + resized.hcl(),
			ExpectError: wrapTolerant(`address_prefix\s+= "10.213.4.0/24"[\s\S]*cannot change from 10.213.3.0/24 to 10.213.4.0/24 while servers use the subnet`),
		},
		resource.TestStep{Config: private},
	))
}
