package controller

import (
	"context"
	"io"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// Logs writes the last lines of the PostgreSQL log (the container's output) of the server's primary.
func (c *Controller) Logs(ctx context.Context, server string, tail int, w io.Writer) error {
	in, err := c.primaryOf(server)
	if err != nil {
		return err
	}
	return c.cfg.Runtime.Logs(ctx, in.Container, tail, false, w)
}

// ContainerName is the engine name of the container of the server's primary (for the operator CLI and
// tests); "" when the server has none.
func (c *Controller) ContainerName(server string) string {
	in, err := c.primaryOf(server)
	if err != nil {
		return ""
	}
	return in.Container
}

// Instances returns the server's instances, primary first (for the operator CLI, faults and tests).
func (c *Controller) Instances(server string) ([]store.Instance, error) { return c.instancesOf(server) }
