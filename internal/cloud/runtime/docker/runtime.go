// Package docker implements runtime.Runtime on a Docker engine through the official Go client.
// Everything it calls works on engine API 1.41 (Docker 20.10), the oldest engine the project supports.
package docker

import (
	"context"
	"fmt"

	"github.com/docker/docker/client"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

var _ runtime.Runtime = (*Runtime)(nil)

// Runtime is the Docker engine seen through runtime.Runtime. It is safe for concurrent use.
type Runtime struct {
	cli *client.Client
}

// New connects to the engine named by the environment (DOCKER_HOST and friends), negotiates the API version
// and pings it, so a cloud without a reachable daemon fails at start instead of on its first operation.
func New(ctx context.Context) (*Runtime, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker: configure client: %w", err)
	}
	r := &Runtime{cli: cli}
	if err := r.Ping(ctx); err != nil {
		_ = cli.Close()
		return nil, err
	}
	return r, nil
}

// Client returns the underlying engine client, for callers (the image builder) that need calls the
// runtime interface does not offer.
func (r *Runtime) Client() *client.Client { return r.cli }

// Close releases the client's idle connections.
func (r *Runtime) Close() error { return r.cli.Close() }

// Ping checks that the daemon answers.
func (r *Runtime) Ping(ctx context.Context) error {
	if _, err := r.cli.Ping(ctx); err != nil {
		return fmt.Errorf("docker: daemon unreachable at %s (is Docker running and DOCKER_HOST right?): %w",
			r.cli.DaemonHost(), err)
	}
	return nil
}
