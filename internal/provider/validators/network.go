package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Validators of the network resources (virtual networks, subnets, private DNS zones and their links).

var _ validator.List = stringListRule{}

// Valid stand-ins for the fields a multi-field spec rule needs besides the one a validator checks; only the
// checked field's error is kept (see only), so these values never show up in a message.
const (
	sampleName   = "x"
	samplePrefix = "10.0.0.0/24"
	sampleVNetID = "/" + spec.CollectionVirtualNetworks + "/vnet"
)

// cidrDescription describes one address block, the same way for address_space and address_prefix.
func cidrDescription() string {
	return fmt.Sprintf("an IPv4 CIDR block in canonical form (such as `10.0.0.0/16`) with a prefix length from /%d "+
		"to /%d, inside one of the private ranges %s", spec.MinPrefixLength, spec.MaxPrefixLength,
		spec.MarkdownList(spec.PrivateAddressRanges()))
}

// VirtualNetworkName checks flexpg_virtual_network.name.
func VirtualNetworkName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be %d to %d letters, digits, underscores, periods and hyphens, starting with "+
			"a letter or digit and ending with a letter, digit or underscore",
			spec.MinVirtualNetworkNameLength, spec.MaxVirtualNetworkNameLength),
		check: spec.ValidateVirtualNetworkName,
	}
}

// SubnetName checks flexpg_subnet.name, including the names the platform reserves.
func SubnetName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be 1 to %d letters, digits, underscores, periods and hyphens, starting with "+
			"a letter or digit and ending with a letter, digit or underscore; must not be one of %s (in any case)",
			spec.MaxSubnetNameLength, spec.MarkdownList(spec.ReservedSubnetNames())),
		check: spec.ValidateSubnetName,
	}
}

// LinkName checks flexpg_private_dns_zone_virtual_network_link.name.
func LinkName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be 1 to %d letters, digits, underscores, periods and hyphens, starting and "+
			"ending with a letter, digit or underscore", spec.MaxLinkNameLength),
		check: spec.ValidateLinkName,
	}
}

// Delegation checks a subnet's delegation.
func Delegation() validator.String {
	return stringRule{
		description: "must be " + spec.MarkdownList(spec.Delegations()) + " (case-sensitive)",
		check:       spec.ValidateDelegation,
	}
}

// AddressPrefix checks a subnet's address_prefix on its own. Whether it lies in the virtual network's
// address space and clears the other subnets needs the cloud's state, and is checked at apply time.
func AddressPrefix() validator.String {
	return stringRule{
		description: "must be " + cidrDescription(),
		check: func(v string) *spec.FieldError {
			return only(spec.ValidateSubnetPrefix(v, nil, nil), "address_prefix")
		},
	}
}

// AddressSpace checks a virtual network's address_space: at least one block, each valid, none overlapping.
func AddressSpace() validator.List {
	return stringListRule{
		description: "must hold at least one block, each " + cidrDescription() + "; blocks must not overlap",
		check:       spec.ValidateAddressSpace,
	}
}

// PrivateDNSZoneName checks flexpg_private_dns_zone.name. Any DNS name is a zone; the stricter rules of a
// zone a server uses are checked on the server.
func PrivateDNSZoneName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be a DNS name of at least two labels separated by periods (no trailing "+
			"period), each label 1 to %d letters, digits and hyphens, not starting or ending with a hyphen; %d "+
			"characters at most", spec.MaxDNSLabelLength, spec.MaxDNSNameLength),
		check: spec.ValidatePrivateDNSZoneName,
	}
}

// VirtualNetworkID checks a reference to a virtual network (/virtualNetworks/<vnet>).
func VirtualNetworkID() validator.String {
	return stringRule{
		description: "must be a virtual network ID of the form `/" + spec.CollectionVirtualNetworks + "/<vnet>`",
		check: func(v string) *spec.FieldError {
			return only(spec.ValidateSubnet(spec.SubnetConfig{Name: sampleName, VirtualNetworkID: v,
				AddressPrefix: samplePrefix}), "virtual_network_id")
		},
	}
}

// PrivateDNSZoneID checks a reference to a private DNS zone (/privateDnsZones/<zone>).
func PrivateDNSZoneID() validator.String {
	return stringRule{
		description: "must be a private DNS zone ID of the form `/" + spec.CollectionPrivateDNSZones + "/<zone>`",
		check: func(v string) *spec.FieldError {
			return only(spec.ValidatePrivateDNSZoneLink(spec.PrivateDNSZoneLinkConfig{Name: sampleName,
				PrivateDNSZoneID: v, VirtualNetworkID: sampleVNetID}), "private_dns_zone_id")
		},
	}
}

// stringListRule applies a spec check to the known elements of a known list of strings. Unknown elements are
// left out (they are checked at apply time); a list with unknown elements is never reported as empty. A null
// element is checked as "", which no rule accepts.
type stringListRule struct {
	description string
	check       func([]string) spec.FieldErrors
}

func (r stringListRule) Description(_ context.Context) string         { return r.description }
func (r stringListRule) MarkdownDescription(_ context.Context) string { return r.description }

func (r stringListRule) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var values []string
	partial := false
	for _, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			partial = true
			continue
		}
		values = append(values, s.ValueString())
	}
	if partial && len(values) == 0 {
		return
	}
	for _, fe := range r.check(values) {
		resp.Diagnostics.AddAttributeError(req.Path, summary, fe.Message)
	}
}
