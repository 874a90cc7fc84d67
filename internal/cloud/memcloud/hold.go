package memcloud

import (
	"context"
	"fmt"
)

// HoldServer makes a server busy the way it is busy in the service: an operator restarts it and its
// instance is slow to come back. Until release, every management request on the server gets 409
// ServerBusy (and its state reads Restarting). release lets the restart finish and waits for it.
func (c *Cloud) HoldServer(ctx context.Context, server string) (release func(context.Context) error, err error) {
	letGo := c.pg.Hold(server)
	op, err := c.client.RestartServer(ctx, server)
	if err != nil {
		letGo()
		return nil, fmt.Errorf("memcloud: hold %s with a restart: %w", server, err)
	}
	return func(ctx context.Context) error {
		letGo()
		if _, err := c.client.Wait(ctx, op, nil); err != nil {
			return fmt.Errorf("memcloud: the restart holding %s: %w", server, err)
		}
		return nil
	}, nil
}
