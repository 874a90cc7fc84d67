package client

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// GetServerMetrics reads a server's replication metrics, which the cloud reads from PostgreSQL when asked; a
// metric that does not apply to the server is absent (nil). ErrNotFound if the server does not exist.
func (c *Client) GetServerMetrics(ctx context.Context, name string) (*model.Metrics, error) {
	p, err := apiPath(serversCollection, name, "metrics")
	if err != nil {
		return nil, err
	}
	return get[model.Metrics](ctx, c, p)
}
