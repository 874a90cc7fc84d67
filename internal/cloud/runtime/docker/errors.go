package docker

import (
	"fmt"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// classify wraps an engine error so callers can test it with errors.Is against the runtime's sentinels,
// while the engine's own error stays in the chain for logs and for errdefs checks.
func classify(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	switch {
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("docker: %s: %w: %w", msg, runtime.ErrNotFound, err)
	case cerrdefs.IsConflict(err):
		return fmt.Errorf("docker: %s: %w: %w", msg, runtime.ErrConflict, err)
	default:
		return fmt.Errorf("docker: %s: %w", msg, err)
	}
}

// notFound builds an ErrNotFound for a reference the engine resolved to a different object
// (the engine accepts ID prefixes, so a name can match some other object's ID).
func notFound(kind, ref string) error {
	return fmt.Errorf("docker: %s %q: %w", kind, ref, runtime.ErrNotFound)
}

// conflict reports an existing object owned by someone else.
func conflict(kind, name string, have runtime.Labels) error {
	return fmt.Errorf("docker: %s %q exists owned by cloud=%q resource=%q: %w", kind, name,
		have[runtime.LabelCloud], have[runtime.LabelResource], runtime.ErrConflict)
}
