package spec

import (
	"fmt"
	"strings"
)

// Resource ID collections (path segments). IDs are plain paths (DESIGN §3), e.g.
// /flexibleServers/<name>/firewallRules/<rule>.
const (
	CollectionServers          = "flexibleServers"
	CollectionFirewallRules    = "firewallRules"
	CollectionConfigurations   = "configurations"
	CollectionDatabases        = "databases"
	CollectionVirtualEndpoints = "virtualEndpoints"
	CollectionVirtualNetworks  = "virtualNetworks"
	CollectionSubnets          = "subnets"
	CollectionPrivateDNSZones  = "privateDnsZones"
	CollectionDNSZoneLinks     = "virtualNetworkLinks"
)

// ServerChildCollections returns the collections that live under a server.
func ServerChildCollections() []string {
	return []string{CollectionFirewallRules, CollectionConfigurations, CollectionDatabases, CollectionVirtualEndpoints}
}

// ServerID is the ID of a flexible server.
func ServerID(name string) string { return "/" + CollectionServers + "/" + name }

// FirewallRuleID is the ID of a firewall rule.
func FirewallRuleID(server, rule string) string {
	return ServerID(server) + "/" + CollectionFirewallRules + "/" + rule
}

// ConfigurationID is the ID of a server parameter.
func ConfigurationID(server, param string) string {
	return ServerID(server) + "/" + CollectionConfigurations + "/" + param
}

// DatabaseID is the ID of a database.
func DatabaseID(server, db string) string {
	return ServerID(server) + "/" + CollectionDatabases + "/" + db
}

// VirtualEndpointID is the ID of a virtual endpoint, under the server it was created on.
func VirtualEndpointID(server, name string) string {
	return ServerID(server) + "/" + CollectionVirtualEndpoints + "/" + name
}

// VirtualNetworkID is the ID of a virtual network.
func VirtualNetworkID(vnet string) string { return "/" + CollectionVirtualNetworks + "/" + vnet }

// SubnetID is the ID of a subnet.
func SubnetID(vnet, subnet string) string {
	return VirtualNetworkID(vnet) + "/" + CollectionSubnets + "/" + subnet
}

// PrivateDNSZoneID is the ID of a private DNS zone.
func PrivateDNSZoneID(zone string) string { return "/" + CollectionPrivateDNSZones + "/" + zone }

// PrivateDNSZoneLinkID is the ID of a private DNS zone's virtual network link.
func PrivateDNSZoneLinkID(zone, link string) string {
	return PrivateDNSZoneID(zone) + "/" + CollectionDNSZoneLinks + "/" + link
}

// ParseServerID returns the server name of /flexibleServers/<name>.
func ParseServerID(id string) (string, error) {
	names, err := parseID(id, "/flexibleServers/<name>", CollectionServers)
	if err != nil {
		return "", err
	}
	return names[0], nil
}

// ParseChildID returns the server and child names of /flexibleServers/<server>/<collection>/<name>, where
// collection is one of ServerChildCollections (e.g. "firewallRules").
func ParseChildID(id, collection string) (server, name string, err error) {
	known := false
	for _, c := range ServerChildCollections() {
		known = known || c == collection
	}
	if !known {
		return "", "", fmt.Errorf("%w: unknown collection %q; expected one of %s",
			ErrInvalidID, collection, strings.Join(ServerChildCollections(), ", "))
	}
	names, err := parseID(id, "/flexibleServers/<server>/"+collection+"/<name>", CollectionServers, collection)
	if err != nil {
		return "", "", err
	}
	return names[0], names[1], nil
}

// ParseVirtualNetworkID returns the network name of /virtualNetworks/<vnet>.
func ParseVirtualNetworkID(id string) (string, error) {
	names, err := parseID(id, "/virtualNetworks/<vnet>", CollectionVirtualNetworks)
	if err != nil {
		return "", err
	}
	return names[0], nil
}

// ParseSubnetID returns the network and subnet names of /virtualNetworks/<vnet>/subnets/<subnet>.
func ParseSubnetID(id string) (vnet, subnet string, err error) {
	names, err := parseID(id, "/virtualNetworks/<vnet>/subnets/<subnet>", CollectionVirtualNetworks, CollectionSubnets)
	if err != nil {
		return "", "", err
	}
	return names[0], names[1], nil
}

// ParsePrivateDNSZoneID returns the zone name of /privateDnsZones/<zone>.
func ParsePrivateDNSZoneID(id string) (string, error) {
	names, err := parseID(id, "/privateDnsZones/<zone>", CollectionPrivateDNSZones)
	if err != nil {
		return "", err
	}
	return names[0], nil
}

// ParsePrivateDNSZoneLinkID returns the zone and link names of
// /privateDnsZones/<zone>/virtualNetworkLinks/<link>.
func ParsePrivateDNSZoneLinkID(id string) (zone, link string, err error) {
	names, err := parseID(id, "/privateDnsZones/<zone>/virtualNetworkLinks/<link>",
		CollectionPrivateDNSZones, CollectionDNSZoneLinks)
	if err != nil {
		return "", "", err
	}
	return names[0], names[1], nil
}

// parseID checks id against the grammar /<collections[0]>/<name>/<collections[1]>/<name>... and returns the
// names. Collection segments are case-sensitive; names must be non-empty and free of control characters.
func parseID(id, grammar string, collections ...string) ([]string, error) {
	fail := func() ([]string, error) {
		return nil, fmt.Errorf("%w %q: expected %s", ErrInvalidID, id, grammar)
	}
	if !strings.HasPrefix(id, "/") || hasControl(id) {
		return fail()
	}
	segments := strings.Split(id[1:], "/")
	if len(segments) != 2*len(collections) {
		return fail()
	}
	names := make([]string, 0, len(collections))
	for i, c := range collections {
		collection, name := segments[2*i], segments[2*i+1]
		if collection != c || name == "" {
			return fail()
		}
		names = append(names, name)
	}
	return names, nil
}

// ValidateServerIDField checks that the attribute named field holds a server ID (/flexibleServers/<name>).
func ValidateServerIDField(field, v string) *FieldError {
	if _, err := ParseServerID(v); err != nil {
		return NewFieldError(field, KindFormat, "must be a server ID of the form /%s/<name>, such as the id attribute "+
			"of a flexpg_server; got %s", CollectionServers, quote(v))
	}
	return nil
}
