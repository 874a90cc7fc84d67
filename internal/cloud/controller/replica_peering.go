package controller

import (
	"context"
	"net/netip"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// A private replica in another virtual network than its primary (another region: seed 004's replication
// across regions with private networking) needs the two servers' delegated subnets to reach each other on
// PostgreSQL's port, both ways. The service leaves that to the user's VNet peering; the cloud, which has no
// peering resource, peers exactly the two delegated subnets for as long as the replica streams: the
// isolation rules let them forward to each other, and each server's pg_hba lets the other subnet in as the
// replication role (which only the cloud's certificate can use).

// crossVNetSubnets returns the delegated subnet IDs of a replica and its upstream when both are private and
// in different virtual networks.
func crossVNetSubnets(replica, upstream store.Server) (string, string, bool) {
	a, b := replica.Spec.DelegatedSubnetID, upstream.Spec.DelegatedSubnetID
	if a == "" || b == "" {
		return "", "", false
	}
	va, _, errA := spec.ParseSubnetID(a)
	vb, _, errB := spec.ParseSubnetID(b)
	return a, b, errA == nil && errB == nil && va != vb
}

// replicationPeerings are the subnet pairs the isolation rules connect for cross-VNet replicas, as
// netguard VNets of two subnets each.
func replicationPeerings(tx *store.Tx, subnets []store.Subnet) ([]netguard.VNet, error) {
	byID := map[string]store.Subnet{}
	for _, s := range subnets {
		byID[spec.SubnetID(s.VNet, s.Subnet.Name)] = s
	}
	servers, err := tx.ListServers()
	if err != nil {
		return nil, err
	}
	var out []netguard.VNet
	for _, s := range servers {
		if !s.IsReplica() {
			continue
		}
		up, err := tx.GetServer(s.Replication.Upstream)
		if err != nil {
			continue
		}
		a, b, ok := crossVNetSubnets(s, up)
		if !ok {
			continue
		}
		v := netguard.VNet{Name: "replication-" + s.Spec.Name}
		for _, id := range []string{a, b} {
			sub, ok := byID[id]
			prefix, err := netip.ParsePrefix(sub.Subnet.AddressPrefix)
			if ok && err == nil && sub.Bridge != "" {
				v.Subnets = append(v.Subnets, netguard.Subnet{Prefix: prefix, Bridge: sub.Bridge})
			}
		}
		if len(v.Subnets) == 2 {
			out = append(out, v)
		}
	}
	return out, nil
}

// peerSources are the subnets of other virtual networks whose servers replicate with s: its upstream's and
// its cross-VNet replicas'. pg_hba lists them as replication sources.
func peerSources(tx *store.Tx, s store.Server, upstream *store.Server) ([]netip.Prefix, error) {
	var ids []string
	if upstream != nil {
		if _, b, ok := crossVNetSubnets(s, *upstream); ok {
			ids = append(ids, b)
		}
	}
	replicas, err := tx.ReplicasOf(s.Spec.Name)
	if err != nil {
		return nil, err
	}
	for _, r := range replicas {
		if a, _, ok := crossVNetSubnets(r, s); ok {
			ids = append(ids, a)
		}
	}
	var out []netip.Prefix
	for _, id := range ids {
		vnet, name, err := spec.ParseSubnetID(id)
		if err != nil {
			continue
		}
		sub, err := tx.GetSubnet(vnet, name)
		if err != nil {
			continue
		}
		if p, err := netip.ParsePrefix(sub.Subnet.AddressPrefix); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// peerReplica opens the path between a replica and its upstream before the copy: the isolation rules, then
// the upstream's pg_hba (reloaded) so the replica's subnet may stream.
func (c *Controller) peerReplica(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil || !s.IsReplica() {
		return err
	}
	if err := c.applyIsolation(ctx); err != nil {
		return err
	}
	return c.reloadFiles(ctx, s.Replication.Upstream)
}

// unpeerReplica ends a deleted (or rolled back) replica's link: its record no longer names the upstream,
// the isolation rules drop the peering and the upstream's pg_hba the replica's subnet.
func (c *Controller) unpeerReplica(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil || s.Replication == nil || s.Replication.Upstream == "" {
		return err
	}
	upstream := s.Replication.Upstream
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) { s.Replication.Upstream = "" })
	}); err != nil {
		return err
	}
	if err := c.applyIsolation(ctx); err != nil {
		return err
	}
	if _, err := c.getServer(upstream); err != nil {
		return nil // gone: nothing to reload
	}
	return c.reloadFiles(ctx, upstream)
}
