package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The network resources' CRUD, driven through real Terraform runs against fakeCloud (no Docker, no TF_ACC).

// fakeNetworkTestCase is fakeTestCase that also requires every network object to be gone after destroy.
func fakeNetworkTestCase(t *testing.T, f *fakeCloud, steps ...resource.TestStep) resource.TestCase {
	tc := fakeTestCase(t, f, steps...)
	serversGone := tc.CheckDestroy
	tc.CheckDestroy = func(s *terraform.State) error {
		if err := serversGone(s); err != nil {
			return err
		}
		var err error
		f.with(func(f *fakeCloud) {
			if n := f.network.count(); n != 0 {
				err = fmt.Errorf("network objects left after destroy: %d", n)
			}
		})
		return err
	}
	return tc
}

func TestFakeNetwork_lifecycle(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	net := defaultPrivateNet("vnet1", "db", "Corp.postgres.flexpg.internal", "corp-vnet1")
	grown := net
	grown.AddressSpace = []string{"10.20.0.0/16", "10.30.0.0/16"}
	grown.Prefix = "10.20.2.0/24"
	grown.Registration = true
	sameVNet := statecheck.CompareValue(compare.ValuesSame())
	sameSubnet := statecheck.CompareValue(compare.ValuesSame())
	sameLink := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, fakeNetworkTestCase(t, f,
		resource.TestStep{
			Config: f.providerHCL() + net.hcl(),
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
			Check: check(f, func(f *fakeCloud) error {
				if got := f.network.subnets["vnet1"]["db"]; got == nil || got.Delegation != spec.DelegationFlexibleServers {
					return fmt.Errorf("cloud subnet %+v", got)
				}
				return nil
			}),
		},
		resource.TestStep{
			// Address space, prefix and registration change in place.
			Config: f.providerHCL() + grown.hcl(),
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
			Check: check(f, func(f *fakeCloud) error {
				if got := f.network.subnets["vnet1"]["db"].AddressPrefix; got != "10.20.2.0/24" {
					return fmt.Errorf("cloud prefix %s", got)
				}
				if got := f.network.vnets["vnet1"].AddressSpace; len(got) != 2 {
					return fmt.Errorf("cloud address space %v", got)
				}
				return nil
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
			Config:      f.providerHCL() + func() string { p := grown; p.Prefix = "10.99.0.0/24"; return p.hcl() }(),
			ExpectError: wrapTolerant(`address_prefix\s+= "10.99.0.0/24"[\s\S]*is not inside the virtual network's address_space`),
		},
		resource.TestStep{
			// Renaming the subnet replaces it.
			Config: f.providerHCL() + func() string { p := grown; p.Subnet = "db2"; return p.hcl() }(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(subnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1/subnets/db2")),
			}},
			Check: check(f, func(f *fakeCloud) error {
				if _, ok := f.network.subnets["vnet1"]["db"]; ok {
					return fmt.Errorf("old subnet db still exists")
				}
				return nil
			}),
		},
	))
}

// TestFakeNetwork_replace moves a link to another network and a network to another region; both replace.
// A network with subnets cannot be deleted, so the subnet follows its network's region with
// replace_triggered_by, as the location attribute's documentation advises.
func TestFakeNetwork_replace(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
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
	resource.UnitTest(t, fakeNetworkTestCase(t, f,
		resource.TestStep{Config: f.providerHCL() + net.hcl() + other},
		resource.TestStep{
			Config: f.providerHCL() + moved.hcl() + other,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
			Check: check(f, func(f *fakeCloud) error {
				if got := f.network.links["corp.postgres.flexpg.internal"]["corp-link"].VirtualNetworkID; got != "/virtualNetworks/vnet2" {
					return fmt.Errorf("link points at %s", got)
				}
				return nil
			}),
		},
		resource.TestStep{
			Config: f.providerHCL() + north.hcl() + other,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectResourceAction(subnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(vnetAddr, tfjsonpath.New("id"), knownvalue.StringExact("/virtualNetworks/vnet1")),
			}},
			Check: check(f, func(f *fakeCloud) error {
				if got := f.network.vnets["vnet1"].Location; got != "northeurope" {
					return fmt.Errorf("network is in %s", got)
				}
				return nil
			}),
		},
	))
}

// TestFakePrivateServer moves a public server to private access (a replacement), then checks the refusals
// of deleting or resizing a subnet the server uses.
func TestFakePrivateServer(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	net := defaultPrivateNet("vnet1", "db", "corp.postgres.flexpg.internal", "corp-vnet1")
	private := fakeServerHCL(f, privateServerAttrs(), privateServerDependsOn)
	subnetID, zoneID := spec.SubnetID("vnet1", "db"), spec.PrivateDNSZoneID("corp.postgres.flexpg.internal")
	// The server names the subnet and zone by literal IDs, so the subnet can leave the configuration alone.
	literal := fakeServerHCL(f, map[string]string{
		"delegated_subnet_id": fmt.Sprintf("%q", subnetID),
		"private_dns_zone_id": fmt.Sprintf("%q", zoneID),
	}, "")
	withoutSubnet := net
	withoutSubnet.Subnet = ""
	resized := net
	resized.Prefix = "10.20.2.0/24"
	resource.UnitTest(t, fakeNetworkTestCase(t, f,
		resource.TestStep{
			Config: fakeServerHCL(f, nil, "") + net.hcl(),
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
		},
		resource.TestStep{
			// Adding another zone leaves the server alone ...
			Config: private + net.hcl() + `
resource "flexpg_private_dns_zone" "other" {
  name = "other.postgres.flexpg.internal"
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop),
			}},
		},
		resource.TestStep{
			// ... moving the server to it replaces the server.
			Config: fakeServerHCL(f, mergeAttrs(privateServerAttrs(), map[string]string{
				"private_dns_zone_id": "flexpg_private_dns_zone.other.id",
			}), "") + net.hcl() + `
resource "flexpg_private_dns_zone" "other" {
  name = "other.postgres.flexpg.internal"
}
`,
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
			ExpectError: wrapTolerant(`address_prefix\s+= "10.20.2.0/24"[\s\S]*cannot change while servers use the subnet \(fake-server\)`),
		},
		resource.TestStep{Config: private + net.hcl()},
	))
}

// TestFakeNetwork_failedCreateIsTracked: a network the cloud accepted but could not finish creating is kept
// in state as tainted and replaced on the next apply.
func TestFakeNetwork_failedCreateIsTracked(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.with(func(f *fakeCloud) { f.network.failCreate = true })
	net := privateNet{VNet: "vnet1", Location: "westeurope", AddressSpace: []string{"10.20.0.0/16"}}
	resource.UnitTest(t, fakeNetworkTestCase(t, f,
		resource.TestStep{
			Config:      f.providerHCL() + net.hcl(),
			ExpectError: wrapTolerant(`did not finish; Terraform saved it as tainted[\s\S]*creating the bridge network failed`),
		},
		resource.TestStep{
			Config: f.providerHCL() + net.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(vnetAddr, plancheck.ResourceActionDestroyBeforeCreate),
			}},
		},
	))
}

func TestFakeNetwork_alreadyExists(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.with(func(f *fakeCloud) {
		f.network.init()
		f.network.zones["corp.postgres.flexpg.internal"] = &model.PrivateDNSZone{Name: "corp.postgres.flexpg.internal"}
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: f.providerHCL() + zoneHCL("corp.postgres.flexpg.internal"),
			ExpectError: wrapTolerant(`Private DNS Zone Already Exists[\s\S]*terraform import <resource address> ` +
				`/privateDnsZones/corp.postgres.flexpg.internal`),
		}},
	})
}
