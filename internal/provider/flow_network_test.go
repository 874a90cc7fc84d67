package provider_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The network resources' flows through Terraform against memcloud (see flow_cloud_test.go).

func TestFlowNetwork_lifecycle(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	net := defaultPrivateNet("vnet1", "db", "Corp.postgres.flexpg.internal", "corp-vnet1")
	grown := net
	grown.AddressSpace = []string{"10.20.0.0/16", "10.30.0.0/16"}
	grown.Prefix = "10.20.2.0/24"
	grown.Registration = true
	sameVNet := statecheck.CompareValue(compare.ValuesSame())
	sameSubnet := statecheck.CompareValue(compare.ValuesSame())
	sameLink := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: providerHCL(c) + net.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				sameVNet.AddStateValue(vnetAddr, tfjsonpath.New("id")),
				sameSubnet.AddStateValue(subnetAddr, tfjsonpath.New("id")),
				sameLink.AddStateValue(linkAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1")),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1/subnets/db")),
				statecheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("delegation"), knownvalue.StringExact(spec.DelegationFlexibleServers)),
				// The cloud stores zone names in lowercase; the configured spelling is kept, the ID is lowercase.
				statecheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("name"), knownvalue.StringExact("Corp.postgres.flexpg.internal")),
				statecheck.ExpectKnownValue(zoneAddr, tfjsonpath.New("id"), knownvalue.StringExact("/privateDnsZones/corp.postgres.flexpg.internal")),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("id"),
					knownvalue.StringExact("/privateDnsZones/corp.postgres.flexpg.internal/virtualNetworkLinks/corp-vnet1")),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("registration_enabled"), knownvalue.Bool(false)),
			},
			Check: checkCloud(func() error {
				s, err := c.Client().GetSubnet(context.Background(), "vnet1", "db")
				if err != nil || s.Delegation != spec.DelegationFlexibleServers {
					return fmt.Errorf("cloud subnet %+v, %v", s, err)
				}
				return wantBridge(c, s, "10.20.1.0/24")
			}),
		},
		resource.TestStep{
			// Address space, prefix and registration change in place.
			Config: providerHCL(c) + grown.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(zoneAddr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1/subnets/db")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameVNet.AddStateValue(vnetAddr, tfjsonpath.New("id")),
				sameSubnet.AddStateValue(subnetAddr, tfjsonpath.New("id")),
				sameLink.AddStateValue(linkAddr, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("registration_enabled"), knownvalue.Bool(true)),
			},
			Check: checkCloud(func() error {
				ctx := context.Background()
				s, err := c.Client().GetSubnet(ctx, "vnet1", "db")
				if err != nil || s.AddressPrefix != "10.20.2.0/24" {
					return fmt.Errorf("cloud subnet %+v, %v", s, err)
				}
				if v, err := c.Client().GetVirtualNetwork(ctx, "vnet1"); err != nil || len(v.AddressSpace) != 2 {
					return fmt.Errorf("cloud network %+v, %v", v, err)
				}
				// An unused subnet that changes prefix gets a new bridge.
				return wantBridge(c, s, "10.20.2.0/24")
			}),
		},
		resource.TestStep{ResourceName: vnetAddr, ImportState: true, ImportStateVerify: true},
		resource.TestStep{ResourceName: subnetAddr, ImportState: true, ImportStateVerify: true},
		resource.TestStep{
			ResourceName: zoneAddr, ImportState: true, ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"name"}, // imported from the lowercase ID
		},
		resource.TestStep{ResourceName: linkAddr, ImportState: true, ImportStateVerify: true},
		resource.TestStep{
			// A prefix outside the address space is the cloud's to refuse; the error lands on the attribute.
			Config:      providerHCL(c) + func() string { p := grown; p.Prefix = "10.99.0.0/24"; return p.hcl() }(),
			ExpectError: wrapTolerant(`address_prefix\s+= "10.99.0.0/24"[\s\S]*is not inside the virtual network's address_space`),
		},
		resource.TestStep{
			// Renaming the subnet replaces it.
			Config: providerHCL(c) + func() string { p := grown; p.Subnet = "db2"; return p.hcl() }(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1/subnets/db2")),
			}},
			Check: checkCloud(func() error {
				if _, err := c.Client().GetSubnet(context.Background(), "vnet1", "db"); !errors.Is(err, client.ErrNotFound) {
					return fmt.Errorf("old subnet db: %v, want not found", err)
				}
				return nil
			}),
		},
	))
}

// wantBridge checks that the subnet is realised on the engine as a bridge with prefix.
func wantBridge(c *memcloud.Cloud, s *model.Subnet, prefix string) error {
	info, err := c.Runtime().InspectNetwork(context.Background(), s.DockerNetwork)
	if err != nil {
		return fmt.Errorf("bridge of subnet %s: %w", s.Name, err)
	}
	if info.Subnet != prefix {
		return fmt.Errorf("bridge of subnet %s has %s, want %s", s.Name, info.Subnet, prefix)
	}
	return nil
}

// TestFlowNetwork_replace moves a link to another network and a network to another region; both replace.
// A network with subnets cannot be deleted, so the subnet follows its network's region with
// replace_triggered_by, as the location attribute's documentation advises.
func TestFlowNetwork_replace(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	net := defaultPrivateNet("vnet1", "db", "corp.postgres.flexpg.internal", "corp-link")
	net.SubnetExtra = "lifecycle {\n    replace_triggered_by = [flexpg_virtual_network.test.location]\n  }"
	other := `
resource "flexpg_virtual_network" "other" {
  name          = "vnet2"
  location      = "westeurope"
  address_space = ["10.40.0.0/16"]
}
`
	moved := net
	moved.LinkVNetID = "flexpg_virtual_network.other.id"
	north := moved
	north.Location = "northeurope"
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{Config: providerHCL(c) + net.hcl() + other},
		resource.TestStep{
			Config: providerHCL(c) + moved.hcl() + other,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			Check: checkCloud(func() error {
				l, err := c.Client().GetPrivateDNSZoneLink(context.Background(), "corp.postgres.flexpg.internal", "corp-link")
				if err != nil || l.VirtualNetworkID != "/virtualNetworks/vnet2" {
					return fmt.Errorf("link %+v, %v", l, err)
				}
				return nil
			}),
		},
		resource.TestStep{
			Config: providerHCL(c) + north.hcl() + other,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1")),
			}},
			Check: checkCloud(func() error {
				v, err := c.Client().GetVirtualNetwork(context.Background(), "vnet1")
				if err != nil || v.Location != "northeurope" {
					return fmt.Errorf("network %+v, %v", v, err)
				}
				return nil
			}),
		},
	))
}

// TestFlowPrivateServer moves a public server to private access (a replacement), then checks the refusals
// of deleting or resizing a subnet the server uses.
func TestFlowPrivateServer(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	net := defaultPrivateNet("vnet1", "db", "corp.postgres.flexpg.internal", "corp-vnet1")
	private := flowServerHCL(c, privateServerAttrs(), privateServerDependsOn)
	subnetID, zoneID := spec.SubnetID("vnet1", "db"), spec.PrivateDNSZoneID("corp.postgres.flexpg.internal")
	// The server names the subnet and zone by literal IDs, so the subnet can leave the configuration alone.
	literal := flowServerHCL(c, map[string]string{
		"delegated_subnet_id": fmt.Sprintf("%q", subnetID),
		"private_dns_zone_id": fmt.Sprintf("%q", zoneID),
	}, "")
	withoutSubnet := net
	withoutSubnet.Subnet = ""
	resized := net
	resized.Prefix = "10.20.2.0/24"
	otherZone := `
resource "flexpg_private_dns_zone" "other" {
  name = "other.postgres.flexpg.internal"
}
`
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: flowServerHCL(c, nil, "") + net.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(true)),
			},
		},
		resource.TestStep{
			Config: private + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.StringExact(subnetID)),
				plancheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("delegated_subnet_id"), knownvalue.StringExact(subnetID)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("private_dns_zone_id"), knownvalue.StringExact(zoneID)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("host"), knownvalue.Null()),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("port"), knownvalue.Null()),
			},
			Check: checkCloud(func() error { return wantPrivatePlacement(c) }),
		},
		resource.TestStep{
			// Adding another zone leaves the server alone ...
			Config: private + net.hcl() + otherZone,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop),
			}},
		},
		resource.TestStep{
			// ... moving the server to it replaces the server.
			Config: flowServerHCL(c, mergeAttrs(privateServerAttrs(), map[string]string{
				"private_dns_zone_id": "flexpg_private_dns_zone.other.id",
			}), "") + net.hcl() + otherZone,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
		},
		resource.TestStep{Config: private + net.hcl()},
		resource.TestStep{
			// Same values, now literal: nothing to change.
			Config:           literal + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			// Destroying the subnet the server uses is refused, naming the server.
			Config:      literal + withoutSubnet.hcl(),
			ExpectError: wrapTolerant(`Subnet In Use[\s\S]*subnet "db" of virtual network "vnet1"[\s\S]*used by server fake-server`),
		},
		resource.TestStep{
			// The refused subnet is still tracked.
			Config:           literal + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			// A used subnet cannot be resized; the error lands on address_prefix.
			Config:      private + resized.hcl(),
			ExpectError: wrapTolerant(`address_prefix\s+= "10.20.2.0/24"[\s\S]*cannot change from 10.20.1.0/24 to 10.20.2.0/24 while servers use the subnet \(fake-server\)`),
		},
		resource.TestStep{Config: private + net.hcl()},
	))
}

// wantPrivatePlacement checks that the flow server runs in its delegated subnet's bridge and has no host
// endpoint.
func wantPrivatePlacement(c *memcloud.Cloud) error {
	ctx := context.Background()
	s, err := c.Client().GetSubnet(ctx, "vnet1", "db")
	if err != nil {
		return err
	}
	info, err := c.Runtime().InspectContainer(ctx, c.Container(flowServer))
	if err != nil {
		return err
	}
	if _, ok := info.IPs[s.DockerNetwork]; !ok || len(info.IPs) != 1 {
		return fmt.Errorf("container on %v, want only the subnet's bridge %s", info.IPs, s.DockerNetwork)
	}
	if ep, open := c.Endpoints().Get(flowServer); open {
		return fmt.Errorf("a private server has a host endpoint: %+v", ep)
	}
	return nil
}

// TestFlowNetwork_failedCreateRollsBack: a subnet the cloud accepted but could not finish creating (the engine
// refuses its bridge) is reported with the cloud's reason and saved as tainted. The cloud rolls it back, so
// the next plan creates it anew.
func TestFlowNetwork_failedCreateRollsBack(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	c.Runtime().FailNext("CreateNetwork", errors.New("injected: creating the bridge network failed"))
	net := privateNet{VNet: "vnet1", Location: "westeurope", AddressSpace: []string{"10.20.0.0/16"},
		Subnet: "db", Prefix: "10.20.1.0/24", Delegation: spec.DelegationFlexibleServers}
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config:      providerHCL(c) + net.hcl(),
			ExpectError: wrapTolerant(`did not finish; Terraform saved it as tainted[\s\S]*injected: creating the bridge network failed`),
		},
		resource.TestStep{
			Config: providerHCL(c) + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				planCheckCloud(func() error {
					if _, err := c.Client().GetSubnet(context.Background(), "vnet1", "db"); !errors.Is(err, client.ErrNotFound) {
						return fmt.Errorf("the failed subnet: %v, want not found", err)
					}
					return nil
				}),
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionNoop),
			}},
		},
	))
}

func TestFlowNetwork_alreadyExists(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	ctx := flowContext(t)
	op, err := c.Client().PutPrivateDNSZone(ctx, model.PrivateDNSZone{Name: "corp.postgres.flexpg.internal"})
	if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
		t.Fatalf("create the zone out of band: %v", err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerHCL(c) + zoneHCL("corp.postgres.flexpg.internal"),
			ExpectError: wrapTolerant(`Private DNS Zone Already Exists[\s\S]*terraform import <resource address> ` +
				`/privateDnsZones/corp.postgres.flexpg.internal`),
		}},
	})
}
