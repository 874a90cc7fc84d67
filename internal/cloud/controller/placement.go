package controller

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// placement is where a server's container lives and who may reach it.
type placement struct {
	private bool
	network string         // Docker network of the container
	gateway netip.Addr     // the host's address on that network: management source (and DNS for private servers)
	sources []netip.Prefix // private servers: the VNet's address space
}

// placement finds the network of a server: the cloud's public bridge, or its delegated subnet's bridge.
func (c *Controller) placement(ctx context.Context, s store.Server) (placement, error) {
	if s.Spec.DelegatedSubnetID == "" {
		info, err := c.publicNetwork(ctx)
		if err != nil {
			return placement{}, err
		}
		return placement{network: info.Name, gateway: hostPrefix(info).Addr()}, nil
	}
	vnetName, subnetName, err := spec.ParseSubnetID(s.Spec.DelegatedSubnetID)
	if err != nil {
		return placement{}, err
	}
	var sub store.Subnet
	var vnet store.VirtualNetwork
	if err := c.store.View(func(tx *store.Tx) error {
		if sub, err = tx.GetSubnet(vnetName, subnetName); err != nil {
			return err
		}
		vnet, err = tx.GetVirtualNetwork(vnetName)
		return err
	}); err != nil {
		return placement{}, fmt.Errorf("delegated subnet %s: %w", s.Spec.DelegatedSubnetID, err)
	}
	gw, err := netip.ParseAddr(sub.Gateway)
	if err != nil {
		return placement{}, fmt.Errorf("subnet %s has no bridge yet", s.Spec.DelegatedSubnetID)
	}
	p := placement{private: true, network: sub.Network, gateway: gw}
	for _, cidr := range vnet.VNet.AddressSpace {
		prefix, err := netip.ParsePrefix(cidr)
		if err != nil {
			return placement{}, fmt.Errorf("address space of virtual network %s: %w", vnetName, err)
		}
		p.sources = append(p.sources, prefix)
	}
	return p, nil
}

// serverPlacement loads the server and its placement.
func (c *Controller) serverPlacement(ctx context.Context, name string) (placement, error) {
	var s store.Server
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		s, err = tx.GetServer(name)
		return err
	}); err != nil {
		return placement{}, err
	}
	return c.placement(ctx, s)
}

// isPrivate reports whether a server has private access (no host endpoint).
func (c *Controller) isPrivate(name string) (bool, error) {
	private := false
	err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		private = s.Spec.DelegatedSubnetID != ""
		return err
	})
	return private, err
}

// recordAddress stores an instance's address: the private DNS answers with the primary's.
func (c *Controller) recordAddress(ctx context.Context, name string, in store.Instance) error {
	ip, err := c.containerAddr(ctx, name, in)
	if err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) {
			if rec, ok := s.Instance(in.Name); ok {
				rec.IP = ip
			}
		})
	})
}
