package spec

// The rules below tie a server to the network resources it names. They need the cloud's state (the subnet's
// delegation, the network's region, the server's mode), so the API calls them at apply time, and the provider
// wherever it can read that state.

// ValidateServerSubnet checks that the subnet a server is placed in (delegation is the subnet's delegation) is
// delegated to flexible servers, which reserves it for them.
func ValidateServerSubnet(delegation string) *FieldError {
	if delegation == DelegationFlexibleServers {
		return nil
	}
	got := "no delegation"
	if delegation != "" {
		got = "delegation " + quote(delegation)
	}
	return NewFieldError("delegated_subnet_id", KindDelegation,
		"must name a subnet delegated to %s to hold servers; the subnet has %s. Set delegation = %s on the subnet "+
			"(a delegated subnet holds only flexible servers)",
		DelegationFlexibleServers, got, quote(DelegationFlexibleServers))
}

// ValidateVNetRegion checks that the virtual network of a server's subnet is in the server's region. An empty
// location (not known yet) passes.
func ValidateVNetRegion(vnetLocation, serverLocation string) *FieldError {
	if vnetLocation == "" || serverLocation == "" || vnetLocation == serverLocation {
		return nil
	}
	return NewFieldError("delegated_subnet_id", KindRegion,
		"must name a subnet of a virtual network in the server's region %s; the virtual network is in %s "+
			"(use a virtual network in %s, or create the server in %s)",
		serverLocation, vnetLocation, serverLocation, vnetLocation)
}

// ValidateFirewallRuleTarget refuses a firewall rule on a private-access server: such a server has no public
// endpoint, so there is nothing for a firewall rule to open.
func ValidateFirewallRuleTarget(serverIsPrivate bool) *FieldError {
	if !serverIsPrivate {
		return nil
	}
	return NewFieldError("server_id", KindPrivateServer,
		"names a private-access server (it has a delegated_subnet_id); firewall rules apply only to public-access "+
			"servers. A private server is reached from its virtual network and the networks linked to its private DNS zone")
}
