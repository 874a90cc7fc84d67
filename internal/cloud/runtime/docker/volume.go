package docker

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/volume"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// CreateVolume creates a local named volume, or accepts the existing one when it has the same owner.
func (r *Runtime) CreateVolume(ctx context.Context, spec runtime.VolumeSpec) error {
	// The engine answers a create for an existing name with the existing volume and its labels, so one
	// call both creates and tells who owns it, and concurrent creates cannot race.
	v, err := r.cli.VolumeCreate(ctx, volume.CreateOptions{
		Name:   spec.Name,
		Driver: "local",
		Labels: copyLabels(spec.Labels),
	})
	if err != nil {
		return classify(err, "create volume %q", spec.Name)
	}
	if !sameOwner(v.Labels, spec.Labels) {
		return conflict("volume", spec.Name, v.Labels)
	}
	return nil
}

// RemoveVolume removes a volume; a missing one is success, one still used by a container is ErrConflict.
func (r *Runtime) RemoveVolume(ctx context.Context, name string) error {
	err := r.cli.VolumeRemove(ctx, name, false)
	if err == nil || cerrdefs.IsNotFound(err) {
		return nil
	}
	return classify(err, "remove volume %q", name)
}
