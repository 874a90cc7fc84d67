package fake

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// fvolume is one named volume.
type fvolume struct {
	name   string
	labels runtime.Labels
}

// CreateVolume creates a volume, or accepts the existing one when it has the same owner.
func (f *Runtime) CreateVolume(ctx context.Context, spec runtime.VolumeSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "CreateVolume", spec.Name); err != nil {
		return err
	}
	if v, ok := f.volumes[spec.Name]; ok {
		if !sameOwner(v.labels, spec.Labels) {
			return conflict("volume", spec.Name, v.labels)
		}
		return nil
	}
	f.volumes[spec.Name] = &fvolume{name: spec.Name, labels: copyLabels(spec.Labels)}
	return nil
}

// RemoveVolume removes a volume; a missing one is success, one mounted by any container is ErrConflict.
func (f *Runtime) RemoveVolume(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "RemoveVolume", name); err != nil {
		return err
	}
	if _, ok := f.volumes[name]; !ok {
		return nil
	}
	for _, c := range f.containers {
		for _, m := range c.spec.Mounts {
			if m.Volume == name {
				return stateConflict("volume", name, "is in use by container "+c.spec.Name)
			}
		}
	}
	delete(f.volumes, name)
	return nil
}
