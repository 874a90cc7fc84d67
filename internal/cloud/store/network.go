package store

import "github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"

// Network buckets.
const (
	bucketVNets   = "virtualNetworks"
	bucketSubnets = "subnets"
	bucketZones   = "privateDnsZones"
	bucketLinks   = "privateDnsZoneLinks"
)

func init() { allBuckets = append(allBuckets, bucketVNets, bucketSubnets, bucketZones, bucketLinks) }

// VirtualNetwork is the durable record of a VNet.
type VirtualNetwork struct {
	VNet model.VirtualNetwork `json:"vnet"`
}

// Subnet is the durable record of a subnet and the bridge that realises it.
type Subnet struct {
	Subnet  model.Subnet `json:"subnet"`
	VNet    string       `json:"vnet"`
	Network string       `json:"network,omitempty"` // Docker network name
	Gateway string       `json:"gateway,omitempty"` // the host's address on the bridge (DNS server, management source)
	Bridge  string       `json:"bridge,omitempty"`  // host interface
	Ready   bool         `json:"ready"`
}

// PrivateDNSZone is the durable record of a zone.
type PrivateDNSZone struct {
	Zone model.PrivateDNSZone `json:"zone"`
}

// PrivateDNSZoneLink is the durable record of a zone ↔ VNet link.
type PrivateDNSZoneLink struct {
	Link model.PrivateDNSZoneLink `json:"link"`
	Zone string                   `json:"zone"`
	VNet string                   `json:"vnet"`
}

func (t *Tx) GetVirtualNetwork(name string) (VirtualNetwork, error) {
	var v VirtualNetwork
	return v, t.get(bucketVNets, name, &v)
}
func (t *Tx) PutVirtualNetwork(v VirtualNetwork) error { return t.put(bucketVNets, v.VNet.Name, v) }
func (t *Tx) DeleteVirtualNetwork(name string) error   { return t.del(bucketVNets, name) }
func (t *Tx) ListVirtualNetworks() ([]VirtualNetwork, error) {
	return list[VirtualNetwork](t, bucketVNets, "")
}

func (t *Tx) GetSubnet(vnet, name string) (Subnet, error) {
	var s Subnet
	return s, t.get(bucketSubnets, childKey(vnet, name), &s)
}
func (t *Tx) PutSubnet(s Subnet) error {
	return t.put(bucketSubnets, childKey(s.VNet, s.Subnet.Name), s)
}
func (t *Tx) DeleteSubnet(vnet, name string) error {
	return t.del(bucketSubnets, childKey(vnet, name))
}
func (t *Tx) ListSubnets(vnet string) ([]Subnet, error) {
	return list[Subnet](t, bucketSubnets, childPrefix(vnet))
}
func (t *Tx) ListAllSubnets() ([]Subnet, error) { return list[Subnet](t, bucketSubnets, "") }

func (t *Tx) GetPrivateDNSZone(name string) (PrivateDNSZone, error) {
	var z PrivateDNSZone
	return z, t.get(bucketZones, name, &z)
}
func (t *Tx) PutPrivateDNSZone(z PrivateDNSZone) error { return t.put(bucketZones, z.Zone.Name, z) }
func (t *Tx) DeletePrivateDNSZone(name string) error   { return t.del(bucketZones, name) }
func (t *Tx) ListPrivateDNSZones() ([]PrivateDNSZone, error) {
	return list[PrivateDNSZone](t, bucketZones, "")
}

func (t *Tx) GetPrivateDNSZoneLink(zone, name string) (PrivateDNSZoneLink, error) {
	var l PrivateDNSZoneLink
	return l, t.get(bucketLinks, childKey(zone, name), &l)
}
func (t *Tx) PutPrivateDNSZoneLink(l PrivateDNSZoneLink) error {
	return t.put(bucketLinks, childKey(l.Zone, l.Link.Name), l)
}
func (t *Tx) DeletePrivateDNSZoneLink(zone, name string) error {
	return t.del(bucketLinks, childKey(zone, name))
}
func (t *Tx) ListPrivateDNSZoneLinks(zone string) ([]PrivateDNSZoneLink, error) {
	return list[PrivateDNSZoneLink](t, bucketLinks, childPrefix(zone))
}
func (t *Tx) ListAllPrivateDNSZoneLinks() ([]PrivateDNSZoneLink, error) {
	return list[PrivateDNSZoneLink](t, bucketLinks, "")
}
