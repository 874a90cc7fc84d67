package client

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Status returns the cloud's audit of what it owns on the machine (GET /v1/status).
func (c *Client) Status(ctx context.Context) (*model.Status, error) {
	p, err := apiPath("status")
	if err != nil {
		return nil, err
	}
	return get[model.Status](ctx, c, p)
}
