package client

import (
	"context"
	"net/http"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// AdvanceClock moves the cloud's clock forward by d (POST /v1/clock) and returns the cloud's new time.
func (c *Client) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	p, err := apiPath("clock")
	if err != nil {
		return time.Time{}, err
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, path: p, body: model.ClockAdvance{Advance: d.String()}})
	if err != nil {
		return time.Time{}, err
	}
	var out model.Clock
	if err := decode(resp, http.MethodPost, p, &out); err != nil {
		return time.Time{}, err
	}
	return out.Now, nil
}
