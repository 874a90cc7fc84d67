package spec

// VirtualNetworkConfig is the desired configuration of a flexpg_virtual_network.
type VirtualNetworkConfig struct {
	Name, Location string
	AddressSpace   []string
}

// ValidateVirtualNetwork checks every rule a virtual network's configuration alone decides. Rules against its
// subnets (ValidateAddressSpaceChange) need the cloud's state.
func ValidateVirtualNetwork(c VirtualNetworkConfig) FieldErrors {
	var errs FieldErrors
	requireThen(&errs, "name", c.Name, ValidateVirtualNetworkName)
	requireThen(&errs, "location", c.Location, ValidateLocation)
	errs.AddAll(ValidateAddressSpace(c.AddressSpace))
	return errs
}

// SubnetConfig is the desired configuration of a flexpg_subnet.
type SubnetConfig struct {
	Name, VirtualNetworkID, AddressPrefix, Delegation string
}

// ValidateSubnet checks every rule a subnet's configuration alone decides. The prefix's place in the network
// (ValidateSubnetPrefix with the network's address space and sibling prefixes) and resizing a used subnet
// (ValidateSubnetResize) need the cloud's state.
func ValidateSubnet(c SubnetConfig) FieldErrors {
	var errs FieldErrors
	requireThen(&errs, "name", c.Name, ValidateSubnetName)
	requireThen(&errs, "virtual_network_id", c.VirtualNetworkID, validateVirtualNetworkRef)
	if c.AddressPrefix == "" {
		errs.Add(required("address_prefix", ""))
	} else {
		errs.AddAll(ValidateSubnetPrefix(c.AddressPrefix, nil, nil))
	}
	errs.Add(ValidateDelegation(c.Delegation))
	return errs
}

// PrivateDNSZoneLinkConfig is the desired configuration of a flexpg_private_dns_zone_virtual_network_link.
type PrivateDNSZoneLinkConfig struct {
	Name, PrivateDNSZoneID, VirtualNetworkID string
	RegistrationEnabled                      bool
}

// ValidatePrivateDNSZoneLink checks every rule a link's configuration alone decides. That the zone and the
// network exist, and that a network is linked to a zone once, need the cloud's state.
func ValidatePrivateDNSZoneLink(c PrivateDNSZoneLinkConfig) FieldErrors {
	var errs FieldErrors
	requireThen(&errs, "name", c.Name, ValidateLinkName)
	requireThen(&errs, "private_dns_zone_id", c.PrivateDNSZoneID, validatePrivateDNSZoneRef)
	requireThen(&errs, "virtual_network_id", c.VirtualNetworkID, validateVirtualNetworkRef)
	return errs
}

func validateVirtualNetworkRef(id string) *FieldError {
	vnet, err := ParseVirtualNetworkID(id)
	if err == nil && virtualNetworkName.check("virtual_network_id", vnet) == nil {
		return nil
	}
	return NewFieldError("virtual_network_id", KindFormat,
		"must be a virtual network ID of the form /virtualNetworks/<vnet>; got %s", quote(id))
}

func validatePrivateDNSZoneRef(id string) *FieldError {
	const field = "private_dns_zone_id"
	zone, err := ParsePrivateDNSZoneID(id)
	if err != nil {
		return NewFieldError(field, KindFormat,
			"must be a private DNS zone ID of the form /privateDnsZones/<zone>; got %s", quote(id))
	}
	return validateDNSName(field, zone)
}

var virtualNetworkFields = resourceFields[VirtualNetworkConfig]{noun: "virtual network", fields: []fieldOf[VirtualNetworkConfig]{
	identity[VirtualNetworkConfig]("name"),
	immutable("location", func(c VirtualNetworkConfig) any { return c.Location }, "a virtual network lives in the region it was created in"),
	mutable("address_space", func(c VirtualNetworkConfig) any { return c.AddressSpace }),
}}

// VirtualNetworkFields lists every flexpg_virtual_network input attribute. address_space can change, as long
// as it keeps covering the network's subnets (ValidateAddressSpaceChange).
func VirtualNetworkFields() Table { return virtualNetworkFields.table() }

// ValidateVirtualNetworkUpdate reports the immutable fields a change of an existing virtual network touches.
func ValidateVirtualNetworkUpdate(old, new VirtualNetworkConfig) FieldErrors {
	return virtualNetworkFields.immutableChanges(old, new)
}

var subnetFields = resourceFields[SubnetConfig]{noun: "subnet", fields: []fieldOf[SubnetConfig]{
	identity[SubnetConfig]("name"),
	identity[SubnetConfig]("virtual_network_id"),
	mutable("address_prefix", func(c SubnetConfig) any { return c.AddressPrefix }),
	mutable("delegation", func(c SubnetConfig) any { return c.Delegation }),
}}

// SubnetFields lists every flexpg_subnet input attribute. address_prefix and delegation can change while no
// server uses the subnet (ValidateSubnetResize, ValidateDelegationChange: the API checks them).
func SubnetFields() Table { return subnetFields.table() }

// PrivateDNSZoneFields lists every flexpg_private_dns_zone input attribute.
func PrivateDNSZoneFields() Table {
	return Table{Noun: "private DNS zone", Fields: []Field{{Attribute: "name", Immutable: true, Identity: true}}}
}

var linkFields = resourceFields[PrivateDNSZoneLinkConfig]{noun: "virtual network link", fields: []fieldOf[PrivateDNSZoneLinkConfig]{
	identity[PrivateDNSZoneLinkConfig]("name"),
	identity[PrivateDNSZoneLinkConfig]("private_dns_zone_id"),
	immutable("virtual_network_id", func(c PrivateDNSZoneLinkConfig) any { return c.VirtualNetworkID },
		"a link joins its zone to one virtual network for its whole life"),
	mutable("registration_enabled", func(c PrivateDNSZoneLinkConfig) any { return c.RegistrationEnabled }),
}}

// PrivateDNSZoneLinkFields lists every flexpg_private_dns_zone_virtual_network_link input attribute.
func PrivateDNSZoneLinkFields() Table { return linkFields.table() }

// ValidatePrivateDNSZoneLinkUpdate reports the immutable fields a change of an existing link touches.
func ValidatePrivateDNSZoneLinkUpdate(old, new PrivateDNSZoneLinkConfig) FieldErrors {
	return linkFields.immutableChanges(old, new)
}
