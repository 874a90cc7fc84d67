package client

import (
	"context"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const databasesCollection = "databases"

// ListDatabases returns the databases of a server.
func (c *Client) ListDatabases(ctx context.Context, server string) ([]model.Database, error) {
	p, err := apiPath(serversCollection, server, databasesCollection)
	if err != nil {
		return nil, err
	}
	return list[model.Database](ctx, c, p)
}

// GetDatabase reads one database.
func (c *Client) GetDatabase(ctx context.Context, server, name string) (*model.Database, error) {
	p, err := apiPath(serversCollection, server, databasesCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.Database](ctx, c, p)
}

// PutDatabase creates or updates the database named d.Name.
func (c *Client) PutDatabase(ctx context.Context, server string, d model.Database) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, databasesCollection, d.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: d})
}

// DeleteDatabase drops a database.
func (c *Client) DeleteDatabase(ctx context.Context, server, name string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, databasesCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}
