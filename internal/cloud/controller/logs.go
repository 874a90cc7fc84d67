package controller

import (
	"context"
	"io"
)

// Logs writes the last lines of the server's PostgreSQL log (the container's output).
func (c *Controller) Logs(ctx context.Context, server string, tail int, w io.Writer) error {
	return c.cfg.Runtime.Logs(ctx, c.containerName(server), tail, false, w)
}

// ContainerName is the engine name of the server's container (for the operator CLI).
func (c *Controller) ContainerName(server string) string { return c.containerName(server) }
