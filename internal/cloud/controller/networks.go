package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// dnsPort is where the cloud's resolver listens on each subnet's gateway address.
const dnsPort = 53

// VNets and zones are bookkeeping: their operations only record. Subnets are bridges on this machine.

func (c *Controller) planVirtualNetworkPut(op store.Operation) (plan, error) {
	var p VirtualNetworkPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{finish: func(tx *store.Tx, r *run) error { return tx.PutVirtualNetwork(store.VirtualNetwork{VNet: p.VNet}) }}, nil
}

func (c *Controller) planVirtualNetworkDelete(op store.Operation) (plan, error) {
	var p VirtualNetworkPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{finish: func(tx *store.Tx, r *run) error { return tx.DeleteVirtualNetwork(p.VNet.Name) }}, nil
}

func (c *Controller) planZonePut(op store.Operation) (plan, error) {
	var p ZonePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{finish: func(tx *store.Tx, r *run) error { return tx.PutPrivateDNSZone(store.PrivateDNSZone{Zone: p.Zone}) }}, nil
}

func (c *Controller) planZoneDelete(op store.Operation) (plan, error) {
	var p ZonePayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{finish: func(tx *store.Tx, r *run) error { return tx.DeletePrivateDNSZone(p.Zone.Name) }}, nil
}

// Links take effect in the resolver at once: it reads the links on every query.

func (c *Controller) planLinkPut(op store.Operation) (plan, error) {
	var p LinkPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{finish: func(tx *store.Tx, r *run) error {
		return tx.PutPrivateDNSZoneLink(store.PrivateDNSZoneLink{Link: p.Link, Zone: p.Zone, VNet: p.VNet})
	}}, nil
}

func (c *Controller) planLinkDelete(op store.Operation) (plan, error) {
	var p LinkPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{finish: func(tx *store.Tx, r *run) error { return tx.DeletePrivateDNSZoneLink(p.Zone, p.Link.Name) }}, nil
}

// subnetNetworkName is the Docker network that realises a subnet.
func (c *Controller) subnetNetworkName(vnet, subnet string) string {
	return "flexpg-" + c.shortID() + "-" + vnet + "-" + subnet
}

// planSubnetPut makes the subnet a bridge with its prefix (re-creating it when an unused subnet changes
// prefix), then updates isolation rules and starts the resolver on its gateway.
func (c *Controller) planSubnetPut(op store.Operation) (plan, error) {
	var p SubnetPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	vnet, name := p.VNet, p.Subnet.Name
	return plan{
		steps: []step{
			{"network", func(ctx context.Context, r *run) error { return c.ensureSubnetNetwork(ctx, vnet, p.Subnet) }},
			{"isolation", func(ctx context.Context, r *run) error { return c.applyIsolation(ctx) }},
			{"dns", func(ctx context.Context, r *run) error { return c.listenDNS(vnet, name) }},
		},
		rollback: subnetPutRollback(c, vnet, p),
		finish: func(tx *store.Tx, r *run) error {
			return updateSubnet(tx, vnet, name, func(s *store.Subnet) { s.Ready = true })
		},
	}, nil
}

// subnetPutRollback undoes a failed subnet put: a new subnet is removed; an existing one gets its previous
// bridge and record back, so a failed update never deletes a subnet.
func subnetPutRollback(c *Controller, vnet string, p SubnetPayload) []step {
	name := p.Subnet.Name
	if p.Old == nil {
		return []step{
			{"removeNetwork", func(ctx context.Context, r *run) error { return c.removeSubnetNetwork(ctx, vnet, name, true) }},
			{"isolation", func(ctx context.Context, r *run) error { return c.applyIsolation(ctx) }},
		}
	}
	old := *p.Old
	return []step{
		{"restoreNetwork", func(ctx context.Context, r *run) error {
			if err := c.ensureSubnetNetwork(ctx, vnet, old); err != nil {
				return err
			}
			return c.store.Update(func(tx *store.Tx) error {
				return updateSubnet(tx, vnet, name, func(s *store.Subnet) { s.Ready = true })
			})
		}},
		{"isolation", func(ctx context.Context, r *run) error { return c.applyIsolation(ctx) }},
		{"dns", func(ctx context.Context, r *run) error { return c.listenDNS(vnet, name) }},
	}
}

// ensureSubnetNetwork creates the bridge for the subnet and records it.
func (c *Controller) ensureSubnetNetwork(ctx context.Context, vnet string, want model.Subnet) error {
	name := want.Name
	var old store.Subnet
	var existed bool
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		old, err = tx.GetSubnet(vnet, name)
		existed = err == nil
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	if existed && old.Subnet.AddressPrefix != want.AddressPrefix && old.Network != "" {
		// An unused subnet changes prefix (the API refused it for a subnet holding servers): a bridge's subnet
		// can't change, so make a new one.
		if err := c.cfg.Runtime.RemoveNetwork(ctx, old.Network); err != nil {
			return fmt.Errorf("remove the bridge of subnet %s: %w", name, err)
		}
	}
	info, err := c.cfg.Runtime.CreateNetwork(ctx, runtime.NetworkSpec{
		Name:   c.subnetNetworkName(vnet, name),
		Subnet: want.AddressPrefix,
		Labels: c.labels(spec.SubnetID(vnet, name), "subnet"),
	})
	if err != nil {
		return fmt.Errorf("create the bridge of subnet %s (%s): %w", name, want.AddressPrefix, err)
	}
	return c.store.Update(func(tx *store.Tx) error {
		s := store.Subnet{Subnet: want, VNet: vnet, Network: info.Name, Gateway: info.Gateway, Bridge: info.Bridge, Ready: existed && old.Ready}
		return tx.PutSubnet(s)
	})
}

func updateSubnet(tx *store.Tx, vnet, name string, fn func(*store.Subnet)) error {
	s, err := tx.GetSubnet(vnet, name)
	if err != nil {
		return err
	}
	fn(&s)
	return tx.PutSubnet(s)
}

// removeSubnetNetwork removes the bridge, and the record when forget is set.
func (c *Controller) removeSubnetNetwork(ctx context.Context, vnet, name string, forget bool) error {
	if err := c.cfg.Runtime.RemoveNetwork(ctx, c.subnetNetworkName(vnet, name)); err != nil {
		return err
	}
	if !forget {
		return nil
	}
	return c.store.Update(func(tx *store.Tx) error { return tx.DeleteSubnet(vnet, name) })
}

// planSubnetDelete stops the resolver on the subnet, removes its bridge and record, and updates isolation.
func (c *Controller) planSubnetDelete(op store.Operation) (plan, error) {
	var p SubnetPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	vnet, name := p.VNet, p.Subnet.Name
	return plan{
		steps: []step{
			{"dns", func(ctx context.Context, r *run) error { return c.unlistenDNS(vnet, name) }},
			{"removeNetwork", func(ctx context.Context, r *run) error { return c.removeSubnetNetwork(ctx, vnet, name, true) }},
			{"isolation", func(ctx context.Context, r *run) error { return c.applyIsolation(ctx) }},
		},
	}, nil
}

// applyIsolation rewrites the machine's isolation rules from every subnet in the store.
func (c *Controller) applyIsolation(ctx context.Context) error {
	if c.cfg.Guard == nil {
		return nil
	}
	var subnets []store.Subnet
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		subnets, err = tx.ListAllSubnets()
		return err
	}); err != nil {
		return err
	}
	byVNet := map[string]*netguard.VNet{}
	var order []string
	for _, s := range subnets {
		prefix, err := netip.ParsePrefix(s.Subnet.AddressPrefix)
		if err != nil || s.Bridge == "" {
			continue
		}
		v, ok := byVNet[s.VNet]
		if !ok {
			v = &netguard.VNet{Name: s.VNet}
			byVNet[s.VNet] = v
			order = append(order, s.VNet)
		}
		v.Subnets = append(v.Subnets, netguard.Subnet{Prefix: prefix, Bridge: s.Bridge})
	}
	vnets := make([]netguard.VNet, 0, len(order)+1)
	for _, name := range order {
		vnets = append(vnets, *byVNet[name])
	}
	var peerings []netguard.VNet
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		peerings, err = replicationPeerings(tx, subnets)
		return err
	}); err != nil {
		return err
	}
	vnets = append(vnets, peerings...)
	// The public bridge is protected too: on this machine only the cloud (its gateway and management
	// connections, whose sockets are marked) may open connections to public servers, so the firewall is
	// enforced on the real client address on every path, not only through the host endpoint.
	if pub, err := c.publicNetwork(ctx); err == nil {
		if prefix, err := netip.ParsePrefix(pub.Subnet); err == nil && pub.Bridge != "" {
			vnets = append(vnets, netguard.VNet{Name: "public", Subnets: []netguard.Subnet{{Prefix: prefix, Bridge: pub.Bridge}}})
		}
	}
	return c.cfg.Guard.Apply(ctx, vnets)
}

func (c *Controller) subnetGateway(vnet, name string) (netip.AddrPort, error) {
	var s store.Subnet
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		s, err = tx.GetSubnet(vnet, name)
		return err
	}); err != nil {
		return netip.AddrPort{}, err
	}
	addr, err := netip.ParseAddr(s.Gateway)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("subnet %s has no gateway address: %w", name, err)
	}
	return netip.AddrPortFrom(addr, dnsPort), nil
}

func (c *Controller) listenDNS(vnet, name string) error {
	if c.cfg.DNS == nil {
		return nil
	}
	addr, err := c.subnetGateway(vnet, name)
	if err != nil {
		return err
	}
	return c.cfg.DNS.Listen(addr)
}

func (c *Controller) unlistenDNS(vnet, name string) error {
	if c.cfg.DNS == nil {
		return nil
	}
	addr, err := c.subnetGateway(vnet, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.cfg.DNS.Unlisten(addr)
}

// restoreNetworks brings back what lives in the cloud process after a restart: the resolver on every
// subnet and the isolation rules.
func (c *Controller) restoreNetworks(ctx context.Context) error {
	var subnets []store.Subnet
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		subnets, err = tx.ListAllSubnets()
		return err
	}); err != nil {
		return err
	}
	for _, s := range subnets {
		if s.Gateway == "" {
			continue
		}
		if err := c.listenDNS(s.VNet, s.Subnet.Name); err != nil {
			c.log.Warn("resolver on subnet", "subnet", s.Subnet.Name, "err", err)
		}
	}
	return c.applyIsolation(ctx)
}
