package controller

import (
	"net/netip"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Resolve answers the private DNS: a private server's records are <server>.postgres.flexpg.internal and
// <server>.<zone>, both its current address. A client sees them when it is in the server's own VNet or in a
// VNet linked to the server's zone; everyone else, and every other name, gets NXDOMAIN. The client's VNet is
// the one whose subnet contains its address. It reads the state on every query, so records follow the
// server (restarts, later failovers) and links take effect at once.
func (c *Controller) Resolve(client netip.Addr, name string) ([]netip.Addr, bool) {
	var out []netip.Addr
	_ = c.store.View(func(tx *store.Tx) error {
		vnet, ok := clientVNet(tx, client)
		if !ok {
			return nil
		}
		servers, err := tx.ListServers()
		if err != nil {
			return err
		}
		for _, s := range servers {
			if addr, ok := answer(tx, s, vnet, name); ok {
				out = append(out, addr)
			}
		}
		if addr, ok := answerVirtualEndpoint(tx, vnet, name); ok {
			out = append(out, addr)
		}
		return nil
	})
	return out, len(out) > 0
}

// clientVNet finds the VNet of a client address.
func clientVNet(tx *store.Tx, client netip.Addr) (string, bool) {
	subnets, err := tx.ListAllSubnets()
	if err != nil {
		return "", false
	}
	for _, s := range subnets {
		if p, err := netip.ParsePrefix(s.Subnet.AddressPrefix); err == nil && p.Contains(client) {
			return s.VNet, true
		}
	}
	return "", false
}

// answer returns the server's address if name is one of its records and the client's VNet may see it.
func answer(tx *store.Tx, s store.Server, clientVNet, name string) (netip.Addr, bool) {
	primary, ok := s.Primary()
	if s.Spec.DelegatedSubnetID == "" || !ok || primary.IP == "" {
		return netip.Addr{}, false
	}
	zone, err := spec.ParsePrivateDNSZoneID(s.Spec.PrivateDNSZoneID)
	if err != nil {
		return netip.Addr{}, false
	}
	zone = spec.NormalizeDNSZoneName(zone)
	if name != spec.ServerFQDN(s.Spec.Name) && name != strings.ToLower(spec.DNSRecordName(s.Spec.Name, zone)) {
		return netip.Addr{}, false
	}
	serverVNet, _, err := spec.ParseSubnetID(s.Spec.DelegatedSubnetID)
	if err != nil {
		return netip.Addr{}, false
	}
	if serverVNet != clientVNet && !linked(tx, zone, clientVNet) {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(primary.IP)
	return addr, err == nil
}

func linked(tx *store.Tx, zone, vnet string) bool {
	links, err := tx.ListPrivateDNSZoneLinks(zone)
	if err != nil {
		return false
	}
	for _, l := range links {
		if l.VNet == vnet {
			return true
		}
	}
	return false
}

// answerVirtualEndpoint answers a virtual endpoint's writer or reader name with the address of the server it
// reaches now, if the client's VNet may see that server. A writer whose server is a replica (a promotion
// is moving it) has no answer: it never reaches an instance in recovery.
func answerVirtualEndpoint(tx *store.Tx, clientVNet, name string) (netip.Addr, bool) {
	eps, err := tx.ListVirtualEndpoints()
	if err != nil {
		return netip.Addr{}, false
	}
	for _, v := range eps {
		target := ""
		switch name {
		case spec.WriterFQDN(v.Endpoint.Name):
			target = v.Writer
		case spec.ReaderFQDN(v.Endpoint.Name):
			target = v.Reader
		default:
			continue
		}
		s, err := tx.GetServer(target)
		if err != nil || (target == v.Writer && name == spec.WriterFQDN(v.Endpoint.Name) && s.IsReplica()) {
			return netip.Addr{}, false
		}
		return answer(tx, s, clientVNet, spec.ServerFQDN(s.Spec.Name))
	}
	return netip.Addr{}, false
}
