package controller

import (
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// Operation kinds.
const (
	KindServerCreate   = "server.create"
	KindServerUpdate   = "server.update"
	KindServerDelete   = "server.delete"
	KindServerStart    = "server.start"
	KindServerStop     = "server.stop"
	KindServerRestart  = "server.restart"
	KindServerRecover  = "server.recover" // the cloud brings a server whose primary died back by itself
	KindServerFailover = "server.failover"
	KindStandbyRepair  = "server.repairStandby" // the cloud brings a lost standby back by itself
	KindReplicaCreate  = "server.createReplica"
	KindReplicaPromote = "server.promoteReplica"

	KindVirtualEndpointPut    = "virtualEndpoint.put"
	KindVirtualEndpointDelete = "virtualEndpoint.delete"
	KindFirewallPut           = "firewallRule.put"
	KindFirewallDelete        = "firewallRule.delete"
	KindConfigurationPut      = "configuration.put"
	KindDatabasePut           = "database.put"
	KindDatabaseDelete        = "database.delete"
)

// CreatePayload is the input of a server create.
type CreatePayload struct {
	Verifier string `json:"verifier"` // SCRAM verifier of the admin password; never the password itself
}

// UpdatePayload is the input of a server update: the applied spec it starts from and the desired one.
type UpdatePayload struct {
	Old      model.Server `json:"old"`
	New      model.Server `json:"new"`
	Verifier string       `json:"verifier,omitempty"` // set when the admin password changes
	// Failover is set when the change swaps zone and the standby zone of a server with HA: a planned
	// failover to the standby, decided by the API when it accepted the change.
	Failover *FailoverPayload `json:"failover,omitempty"`
}

// RecoverPayload is the input of a recovery: Fence when the primary's container still ran (hung or
// paused) and must be killed before it is started again.
type RecoverPayload struct {
	Fence bool `json:"fence,omitempty"`
}

// FirewallPayload is the input of a firewall rule change.
type FirewallPayload struct {
	Rule model.FirewallRule `json:"rule"`
}

// ConfigurationPayload is the input of a parameter change; Reset restores the default. The operation's
// record step fills in the override the change replaces (Previous, nil when there was none), so that a
// rollback can restore it.
type ConfigurationPayload struct {
	Name          string               `json:"name"`
	Value         string               `json:"value"`
	Reset         bool                 `json:"reset,omitempty"`
	PreviousKnown bool                 `json:"previous_known,omitempty"`
	Previous      *store.Configuration `json:"previous,omitempty"`
}

// DatabasePayload is the input of a database change.
type DatabasePayload struct {
	Database model.Database `json:"database"`
}

// Network operation kinds.
const (
	KindVirtualNetworkPut    = "virtualNetwork.put"
	KindVirtualNetworkDelete = "virtualNetwork.delete"
	KindSubnetPut            = "subnet.put"
	KindSubnetDelete         = "subnet.delete"
	KindZonePut              = "privateDnsZone.put"
	KindZoneDelete           = "privateDnsZone.delete"
	KindLinkPut              = "privateDnsZoneLink.put"
	KindLinkDelete           = "privateDnsZoneLink.delete"
)

// VirtualNetworkPayload is the input of a VNet change.
type VirtualNetworkPayload struct {
	VNet model.VirtualNetwork `json:"vnet"`
}

// SubnetPayload is the input of a subnet change. Old is the subnet an update replaces (nil for a create):
// a failed update restores it rather than deleting the subnet.
type SubnetPayload struct {
	VNet   string        `json:"vnet"`
	Subnet model.Subnet  `json:"subnet"`
	Old    *model.Subnet `json:"old,omitempty"`
}

// ZonePayload is the input of a private DNS zone change.
type ZonePayload struct {
	Zone model.PrivateDNSZone `json:"zone"`
}

// LinkPayload is the input of a zone link change.
type LinkPayload struct {
	Zone string                   `json:"zone"`
	VNet string                   `json:"vnet"`
	Link model.PrivateDNSZoneLink `json:"link"`
}
