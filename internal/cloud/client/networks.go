package client

import (
	"context"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const (
	virtualNetworksCollection = "virtualNetworks"
	subnetsCollection         = "subnets"
	privateDNSZonesCollection = "privateDnsZones"
	zoneLinksCollection       = "virtualNetworkLinks"
)

// ListVirtualNetworks returns every virtual network.
func (c *Client) ListVirtualNetworks(ctx context.Context) ([]model.VirtualNetwork, error) {
	p, err := apiPath(virtualNetworksCollection)
	if err != nil {
		return nil, err
	}
	return list[model.VirtualNetwork](ctx, c, p)
}

// GetVirtualNetwork reads a virtual network; ErrNotFound if it does not exist.
func (c *Client) GetVirtualNetwork(ctx context.Context, name string) (*model.VirtualNetwork, error) {
	p, err := apiPath(virtualNetworksCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.VirtualNetwork](ctx, c, p)
}

// PutVirtualNetwork creates or updates the virtual network named v.Name.
func (c *Client) PutVirtualNetwork(ctx context.Context, v model.VirtualNetwork) (*model.Operation, error) {
	p, err := apiPath(virtualNetworksCollection, v.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: v})
}

// DeleteVirtualNetwork deletes a virtual network (it must have no subnets).
func (c *Client) DeleteVirtualNetwork(ctx context.Context, name string) (*model.Operation, error) {
	p, err := apiPath(virtualNetworksCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}

// GetSubnet reads a subnet; ErrNotFound if it or its network does not exist.
func (c *Client) GetSubnet(ctx context.Context, vnet, name string) (*model.Subnet, error) {
	p, err := apiPath(virtualNetworksCollection, vnet, subnetsCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.Subnet](ctx, c, p)
}

// ListSubnets returns the subnets of a virtual network.
func (c *Client) ListSubnets(ctx context.Context, vnet string) ([]model.Subnet, error) {
	p, err := apiPath(virtualNetworksCollection, vnet, subnetsCollection)
	if err != nil {
		return nil, err
	}
	return list[model.Subnet](ctx, c, p)
}

// PutSubnet creates or updates the subnet named s.Name in vnet.
func (c *Client) PutSubnet(ctx context.Context, vnet string, s model.Subnet) (*model.Operation, error) {
	p, err := apiPath(virtualNetworksCollection, vnet, subnetsCollection, s.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: s})
}

// DeleteSubnet deletes a subnet (refused while servers use it).
func (c *Client) DeleteSubnet(ctx context.Context, vnet, name string) (*model.Operation, error) {
	p, err := apiPath(virtualNetworksCollection, vnet, subnetsCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}

// GetPrivateDNSZone reads a private DNS zone; ErrNotFound if it does not exist.
func (c *Client) GetPrivateDNSZone(ctx context.Context, name string) (*model.PrivateDNSZone, error) {
	p, err := apiPath(privateDNSZonesCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.PrivateDNSZone](ctx, c, p)
}

// PutPrivateDNSZone creates a private DNS zone.
func (c *Client) PutPrivateDNSZone(ctx context.Context, z model.PrivateDNSZone) (*model.Operation, error) {
	p, err := apiPath(privateDNSZonesCollection, z.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: z})
}

// DeletePrivateDNSZone deletes a zone (refused while servers use it).
func (c *Client) DeletePrivateDNSZone(ctx context.Context, name string) (*model.Operation, error) {
	p, err := apiPath(privateDNSZonesCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}

// GetPrivateDNSZoneLink reads a zone's virtual network link.
func (c *Client) GetPrivateDNSZoneLink(ctx context.Context, zone, name string) (*model.PrivateDNSZoneLink, error) {
	p, err := apiPath(privateDNSZonesCollection, zone, zoneLinksCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.PrivateDNSZoneLink](ctx, c, p)
}

// PutPrivateDNSZoneLink creates or updates the link named l.Name of zone.
func (c *Client) PutPrivateDNSZoneLink(ctx context.Context, zone string, l model.PrivateDNSZoneLink) (*model.Operation, error) {
	p, err := apiPath(privateDNSZonesCollection, zone, zoneLinksCollection, l.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: l})
}

// DeletePrivateDNSZoneLink deletes a link (refused while a server relies on it).
func (c *Client) DeletePrivateDNSZoneLink(ctx context.Context, zone, name string) (*model.Operation, error) {
	p, err := apiPath(privateDNSZonesCollection, zone, zoneLinksCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}
