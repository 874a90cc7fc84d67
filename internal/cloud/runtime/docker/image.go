package docker

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
)

// ImageExists reports whether the engine holds an image under ref.
func (r *Runtime) ImageExists(ctx context.Context, ref string) (bool, error) {
	_, err := r.cli.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return true, nil
	case cerrdefs.IsNotFound(err):
		return false, nil
	default:
		return false, classify(err, "inspect image %q", ref)
	}
}
