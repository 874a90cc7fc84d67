package model

// VirtualNetwork is a simulated VNet: an address space whose subnets are bridges on this machine.
type VirtualNetwork struct {
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"name"`
	Location     string   `json:"location"`
	AddressSpace []string `json:"address_space"`
}

// Subnet is a subnet of a VNet. The cloud makes it a Docker bridge network with the subnet's prefix.
type Subnet struct {
	ID                 string `json:"id,omitempty"`
	Name               string `json:"name"`
	VirtualNetworkName string `json:"virtual_network_name,omitempty"`
	AddressPrefix      string `json:"address_prefix"`
	Delegation         string `json:"delegation,omitempty"`

	// Computed.
	Servers       []string `json:"servers,omitempty"`        // servers delegated into the subnet
	DockerNetwork string   `json:"docker_network,omitempty"` // for the operator CLI (cloud run)
	DNSServer     string   `json:"dns_server,omitempty"`     // the cloud's resolver for containers in the subnet
}

// PrivateDNSZone is a private DNS zone; private servers register their records in one.
type PrivateDNSZone struct {
	ID      string   `json:"id,omitempty"`
	Name    string   `json:"name"`
	Servers []string `json:"servers,omitempty"` // computed: servers with records in the zone
}

// PrivateDNSZoneLink links a zone to a VNet: clients in the VNet resolve the zone's records.
type PrivateDNSZoneLink struct {
	ID                  string `json:"id,omitempty"`
	Name                string `json:"name"`
	ZoneName            string `json:"zone_name,omitempty"`
	VirtualNetworkID    string `json:"virtual_network_id"`
	RegistrationEnabled bool   `json:"registration_enabled"`
}
