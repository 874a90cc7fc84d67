package fake

import (
	"context"
)

// IsolateContainer marks a running or paused container cut off its networks (see Isolated); its addresses
// and aliases stay. A container that is not running is ErrConflict. Docker reports no event for it.
func (f *Runtime) IsolateContainer(ctx context.Context, name string) error {
	return f.setIsolated(ctx, "IsolateContainer", name, true)
}

// HealContainer ends an isolation; a container not isolated is left alone.
func (f *Runtime) HealContainer(ctx context.Context, name string) error {
	return f.setIsolated(ctx, "HealContainer", name, false)
}

func (f *Runtime) setIsolated(ctx context.Context, method, name string, isolated bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, method, name); err != nil {
		return err
	}
	c, err := f.runningContainer(name)
	if err != nil {
		return err
	}
	c.isolated = isolated
	return nil
}
