package client

import (
	"context"
	"net/http"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Clock reads the cloud's time (GET /v1/clock): the clock restore targets and backup times are on, which is
// ahead of the machine's once it has been advanced.
func (c *Client) Clock(ctx context.Context) (time.Time, error) {
	p, err := apiPath("clock")
	if err != nil {
		return time.Time{}, err
	}
	out, err := get[model.Clock](ctx, c, p)
	if err != nil {
		return time.Time{}, err
	}
	return out.Now, nil
}

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
