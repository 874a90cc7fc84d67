package client

import (
	"context"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const virtualEndpointsCollection = "virtualEndpoints"

// ListVirtualEndpoints returns the virtual endpoints created on a server.
func (c *Client) ListVirtualEndpoints(ctx context.Context, server string) ([]model.VirtualEndpoint, error) {
	p, err := apiPath(serversCollection, server, virtualEndpointsCollection)
	if err != nil {
		return nil, err
	}
	return list[model.VirtualEndpoint](ctx, c, p)
}

// GetVirtualEndpoint reads one virtual endpoint of the server it was created on; ErrNotFound if it or the
// server does not exist.
func (c *Client) GetVirtualEndpoint(ctx context.Context, server, name string) (*model.VirtualEndpoint, error) {
	p, err := apiPath(serversCollection, server, virtualEndpointsCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.VirtualEndpoint](ctx, c, p)
}

// PutVirtualEndpoint creates the endpoint named e.Name on server, or moves its reader (e.ReplicaServerID).
func (c *Client) PutVirtualEndpoint(ctx context.Context, server string, e model.VirtualEndpoint) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, virtualEndpointsCollection, e.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: e})
}

// DeleteVirtualEndpoint deletes a virtual endpoint.
func (c *Client) DeleteVirtualEndpoint(ctx context.Context, server, name string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, virtualEndpointsCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}
