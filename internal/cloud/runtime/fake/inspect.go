package fake

import (
	"path"
	"slices"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// Test-side access to the fake's state. None of these is recorded in Calls or affected by FailNext.

// File returns the content last copied to path in a container (by name or ID).
func (f *Runtime) File(container, filePath string) ([]byte, bool) {
	file, ok := f.FileEntry(container, filePath)
	return file.Content, ok
}

// FileEntry returns the whole file last copied to path (content, mode, owner).
func (f *Runtime) FileEntry(container, filePath string) (runtime.File, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if !ok {
		return runtime.File{}, false
	}
	file, ok := c.files[path.Clean(filePath)]
	if !ok {
		return runtime.File{}, false
	}
	file.Content = slices.Clone(file.Content)
	return file, true
}

// Spec returns the spec a container was created with.
func (f *Runtime) Spec(container string) (runtime.ContainerSpec, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if !ok {
		return runtime.ContainerSpec{}, false
	}
	return cloneSpec(c.spec), true
}

// Aliases returns a container's DNS aliases on a network.
func (f *Runtime) Aliases(container, network string) ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if !ok {
		return nil, false
	}
	ep, ok := c.endpoints[network]
	return slices.Clone(ep.aliases), ok
}

// SetLogs replaces what Logs returns for a container. It reports whether the container exists.
func (f *Runtime) SetLogs(container string, logs []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if ok {
		c.logs = slices.Clone(logs)
	}
	return ok
}

// Exit simulates the container's process ending on its own (a crash, an OOM kill, a kill from outside the
// cloud) with code, paused or not, and reports its die to Events subscribers. An auto-remove container
// disappears. It reports whether the container was running.
func (f *Runtime) Exit(container string, code int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if !ok || !c.running {
		return false
	}
	f.exit(c, code)
	return true
}

// Freeze simulates a pause from outside the cloud (someone's docker pause): the container is paused and a
// pause event reported. It reports whether the container was running and not paused.
func (f *Runtime) Freeze(container string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if !ok || !c.running || c.paused {
		return false
	}
	f.pause(c)
	return true
}

// Thaw simulates an unpause from outside the cloud. It reports whether the container was paused.
func (f *Runtime) Thaw(container string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	if !ok || !c.paused {
		return false
	}
	f.unpause(c)
	return true
}

// Isolated reports whether a container is cut off its networks by IsolateContainer.
func (f *Runtime) Isolated(container string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.container(container)
	return ok && c.isolated
}
