package provider_test

import (
	"fmt"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// privateNet describes the network side of a private-access setup, rendered as flexpg_virtual_network.test,
// flexpg_subnet.test, flexpg_private_dns_zone.test and flexpg_private_dns_zone_virtual_network_link.test.
// Empty names leave a resource out.
type privateNet struct {
	VNet, Location string
	AddressSpace   []string
	Subnet, Prefix string
	Delegation     string // "" means none
	Zone, Link     string
	Registration   bool
	// LinkVNetID overrides the link's virtual_network_id (default: flexpg_virtual_network.test.id).
	LinkVNetID string
	// SubnetExtra is added to the subnet block (for example a lifecycle block).
	SubnetExtra string
}

// defaultPrivateNet is a complete setup: VNet 10.20.0.0/16 in westeurope, a delegated /24, a zone and its link.
func defaultPrivateNet(vnet, subnet, zone, link string) privateNet {
	return privateNet{
		VNet: vnet, Location: "westeurope", AddressSpace: []string{"10.20.0.0/16"},
		Subnet: subnet, Prefix: "10.20.1.0/24", Delegation: spec.DelegationFlexibleServers,
		Zone: zone, Link: link,
	}
}

func (p privateNet) hcl() string {
	var b strings.Builder
	if p.VNet != "" {
		b.WriteString(hclResource("flexpg_virtual_network", map[string]string{
			"name":          fmt.Sprintf("%q", p.VNet),
			"location":      fmt.Sprintf("%q", p.Location),
			"address_space": hclList(p.AddressSpace),
		}, nil, ""))
	}
	if p.Subnet != "" {
		attrs := map[string]string{
			"name":               fmt.Sprintf("%q", p.Subnet),
			"virtual_network_id": "flexpg_virtual_network.test.id",
			"address_prefix":     fmt.Sprintf("%q", p.Prefix),
		}
		if p.Delegation != "" {
			attrs["delegation"] = fmt.Sprintf("%q", p.Delegation)
		}
		b.WriteString(hclResource("flexpg_subnet", attrs, nil, p.SubnetExtra))
	}
	if p.Zone != "" {
		b.WriteString(zoneHCL(p.Zone))
	}
	if p.Link != "" {
		vnetID := p.LinkVNetID
		if vnetID == "" {
			vnetID = "flexpg_virtual_network.test.id"
		}
		b.WriteString(hclResource("flexpg_private_dns_zone_virtual_network_link", map[string]string{
			"name":                 fmt.Sprintf("%q", p.Link),
			"private_dns_zone_id":  "flexpg_private_dns_zone.test.id",
			"virtual_network_id":   vnetID,
			"registration_enabled": fmt.Sprint(p.Registration),
		}, nil, ""))
	}
	return b.String()
}

// privateServerAttrs place flexpg_server.test in the setup's subnet and zone.
func privateServerAttrs() map[string]string {
	return map[string]string{
		"delegated_subnet_id":           "flexpg_subnet.test.id",
		"private_dns_zone_id":           "flexpg_private_dns_zone.test.id",
		"public_network_access_enabled": "false",
	}
}

// privateServerDependsOn makes the server wait for the link, so the zone resolves in the network when the
// server registers.
const privateServerDependsOn = "depends_on = [flexpg_private_dns_zone_virtual_network_link.test]"

func hclList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
