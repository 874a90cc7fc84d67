package fake

import (
	"context"
	"fmt"
	"net/netip"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// fcontainer is one container: its spec, state, network attachments and the files copied into it.
type fcontainer struct {
	id        string
	spec      runtime.ContainerSpec
	status    string
	running   bool
	paused    bool
	isolated  bool // by IsolateContainer, until HealContainer or the process ends
	exitCode  int
	startedAt time.Time
	nanoCPUs  int64
	memory    int64
	endpoints map[string]endpoint // by network name
	files     map[string]runtime.File
	logs      []byte
}

// endpoint is a container's attachment to one network.
type endpoint struct {
	networkID string
	addr      netip.Addr
	aliases   []string
}

// container finds a container by name or ID. Callers hold f.mu.
func (f *Runtime) container(ref string) (*fcontainer, bool) {
	if c, ok := f.containers[ref]; ok {
		return c, true
	}
	for _, c := range f.containers {
		if c.id == ref {
			return c, true
		}
	}
	return nil, false
}

// mustContainer is container with the not-found error callers return.
func (f *Runtime) mustContainer(ref string) (*fcontainer, error) {
	c, ok := f.container(ref)
	if !ok {
		return nil, notFound("container", ref)
	}
	return c, nil
}

// runningContainer is mustContainer for operations on a container's process, paused or not: one that is
// not running is ErrConflict, as in Docker. Callers hold f.mu.
func (f *Runtime) runningContainer(ref string) (*fcontainer, error) {
	c, err := f.mustContainer(ref)
	if err == nil && !c.running {
		return nil, stateConflict("container", ref, "is not running")
	}
	return c, err
}

func (c *fcontainer) attach(n *fnetwork, aliases []string, ipv4 string) error {
	addr, err := n.reserve(c.spec.Name, ipv4)
	if err != nil {
		return err
	}
	c.endpoints[n.info.Name] = endpoint{networkID: n.info.ID, addr: addr, aliases: slices.Clone(aliases)}
	return nil
}

func (c *fcontainer) detach(n *fnetwork) {
	ep, ok := c.endpoints[n.info.Name]
	if !ok {
		return
	}
	if ep.networkID == n.info.ID {
		delete(n.used, ep.addr)
	}
	delete(c.endpoints, n.info.Name)
}

// CreateContainer creates a container in state "created", or returns the existing one's ID when it has
// the same owner. The image must be in ImageRefs and the network must exist; a missing volume is created
// without labels, as Docker does.
func (f *Runtime) CreateContainer(ctx context.Context, spec runtime.ContainerSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "CreateContainer", spec.Name); err != nil {
		return "", err
	}
	if c, ok := f.containers[spec.Name]; ok {
		if !sameOwner(c.spec.Labels, spec.Labels) {
			return "", conflict("container", spec.Name, c.spec.Labels)
		}
		return c.id, nil
	}
	c, err := f.newContainer(spec)
	if err != nil {
		return "", err
	}
	f.containers[spec.Name] = c
	f.emit(c, runtime.ActionCreate, 0)
	return c.id, nil
}

// newContainer validates a spec and builds its container, reserving its address. Callers hold f.mu.
func (f *Runtime) newContainer(spec runtime.ContainerSpec) (*fcontainer, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("fake: container needs a name")
	}
	if !f.ImageRefs[spec.Image] {
		return nil, notFound("image", spec.Image)
	}
	var n *fnetwork
	if spec.Network != "" && spec.Network != runtime.NoNetwork {
		var ok bool
		if n, ok = f.network(spec.Network); !ok {
			return nil, notFound("network", spec.Network)
		}
	}
	spec = cloneSpec(spec)
	c := &fcontainer{
		id: f.newID("container", spec.Name), spec: spec, status: "created",
		nanoCPUs: spec.NanoCPUs, memory: spec.MemoryByte,
		endpoints: map[string]endpoint{}, files: map[string]runtime.File{},
	}
	if n != nil {
		if err := c.attach(n, spec.Aliases, spec.IPv4); err != nil {
			return nil, err
		}
	}
	for _, m := range spec.Mounts {
		if _, ok := f.volumes[m.Volume]; !ok {
			f.volumes[m.Volume] = &fvolume{name: m.Volume, labels: runtime.Labels{}}
		}
	}
	return c, nil
}

func cloneSpec(s runtime.ContainerSpec) runtime.ContainerSpec {
	s.Cmd, s.Env, s.Aliases = slices.Clone(s.Cmd), slices.Clone(s.Env), slices.Clone(s.Aliases)
	s.DNS, s.Mounts, s.CapAdd = slices.Clone(s.DNS), slices.Clone(s.Mounts), slices.Clone(s.CapAdd)
	s.Labels = copyLabels(s.Labels)
	return s
}

// CopyFiles stores files in the container, any state; read them back with File.
func (f *Runtime) CopyFiles(ctx context.Context, container string, files []runtime.File) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "CopyFiles", container); err != nil {
		return err
	}
	c, err := f.mustContainer(container)
	if err != nil {
		return err
	}
	for _, file := range files {
		if !path.IsAbs(file.Path) || path.Clean(file.Path) == "/" {
			return fmt.Errorf("fake: copy file %q: path must be absolute and name a file", file.Path)
		}
	}
	for _, file := range files {
		file.Path = path.Clean(file.Path)
		file.Content = slices.Clone(file.Content)
		c.files[file.Path] = file
	}
	return nil
}

// StartContainer marks a container running; a running one is left alone, a paused one is ErrConflict, and
// one whose network was removed meanwhile is ErrNotFound.
func (f *Runtime) StartContainer(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "StartContainer", name); err != nil {
		return err
	}
	c, err := f.mustContainer(name)
	if err != nil {
		return err
	}
	switch {
	case c.paused:
		return stateConflict("container", name, "is paused")
	case c.running:
		return nil
	}
	for netName, ep := range c.endpoints {
		if n, ok := f.networks[netName]; !ok || n.info.ID != ep.networkID {
			return notFound("network", netName)
		}
	}
	c.running, c.status, c.exitCode, c.startedAt = true, "running", 0, f.now()
	f.emit(c, runtime.ActionStart, 0)
	if slices.Contains(c.spec.Env, CommandEnv) {
		// A command container (the image's exec mode) runs its command and exits.
		code := 0
		if f.OnCommand != nil {
			code = f.OnCommand(cloneSpec(c.spec))
		}
		f.exit(c, code)
	}
	return nil
}

// CommandEnv is the environment entry of the server image's exec mode (postgres.ExecEnv): a container
// started with it exits at once, with the code OnCommand gives (0 without it).
const CommandEnv = "FLEXPG_MODE=exec"

// StopContainer stops a running or paused container with exit code 0 (a graceful stop); a stopped one is
// left alone. An auto-remove container disappears. Like Docker it reports kill (the stop signal), unpause
// for a paused container, die and stop.
func (f *Runtime) StopContainer(ctx context.Context, name string, grace time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "StopContainer", name); err != nil {
		return err
	}
	c, err := f.mustContainer(name)
	if err != nil {
		return err
	}
	if c.running {
		f.emit(c, runtime.ActionKill, 0)
		if c.paused {
			f.emit(c, runtime.ActionUnpause, 0)
		}
		f.exit(c, 0)
		f.emit(c, runtime.ActionStop, 0)
	}
	return nil
}

// exit ends a container's process with code and reports its die; its network links, and so an isolation,
// end with it. Callers hold f.mu.
func (f *Runtime) exit(c *fcontainer, code int) {
	c.running, c.paused, c.isolated, c.status, c.exitCode = false, false, false, "exited", code
	f.emit(c, runtime.ActionDie, code)
	if c.spec.AutoRemove {
		f.removeContainer(c)
	}
}

// KillContainer signals a running container. SIGKILL (also "" and "KILL") ends it with 137; SIGTERM,
// SIGINT and SIGQUIT are taken as a graceful shutdown (exit 0); other signals change nothing. A container
// that is not running gives ErrConflict, as in Docker. On a paused container, as in Docker, SIGKILL ends it
// and its stop signal (SIGTERM unless the spec says otherwise) thaws it for a graceful exit, while any
// other signal leaves it paused (Docker keeps the signal pending until a thaw; the fake forgets it). Every
// signal reports a kill event; one that ends the process a die as well.
func (f *Runtime) KillContainer(ctx context.Context, name string, signal string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "KillContainer", name, signalName(signal)); err != nil {
		return err
	}
	c, err := f.runningContainer(name)
	if err != nil {
		return err
	}
	f.emit(c, runtime.ActionKill, 0)
	sig := signalName(signal)
	switch {
	case sig == "SIGKILL":
		f.exit(c, 137)
	case c.paused && sig != c.stopSignal():
		// Pending until the container thaws.
	case sig == "SIGTERM" || sig == "SIGINT" || sig == "SIGQUIT":
		if c.paused {
			f.emit(c, runtime.ActionUnpause, 0)
		}
		f.exit(c, 0)
	}
	return nil
}

// stopSignal is the signal StopContainer sends, normalised like signalName.
func (c *fcontainer) stopSignal() string {
	if c.spec.StopSignal == "" {
		return "SIGTERM"
	}
	return signalName(c.spec.StopSignal)
}

// signalName normalises "kill", "KILL", "9" and "" to "SIGKILL", and so on for the signals the fake knows.
func signalName(s string) string {
	s = strings.ToUpper(s)
	switch s {
	case "", "9", "KILL":
		return "SIGKILL"
	case "15":
		return "SIGTERM"
	case "2":
		return "SIGINT"
	case "3":
		return "SIGQUIT"
	}
	if !strings.HasPrefix(s, "SIG") {
		return "SIG" + s
	}
	return s
}

// PauseContainer freezes a running container; anything else is ErrConflict.
func (f *Runtime) PauseContainer(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "PauseContainer", name); err != nil {
		return err
	}
	c, err := f.mustContainer(name)
	if err != nil {
		return err
	}
	if !c.running || c.paused {
		return stateConflict("container", name, "is not running or already paused")
	}
	f.pause(c)
	return nil
}

// pause freezes a running container. Callers hold f.mu.
func (f *Runtime) pause(c *fcontainer) {
	c.paused, c.status = true, "paused"
	f.emit(c, runtime.ActionPause, 0)
}

// unpause thaws a paused container. Callers hold f.mu.
func (f *Runtime) unpause(c *fcontainer) {
	c.paused, c.status = false, "running"
	f.emit(c, runtime.ActionUnpause, 0)
}

// UnpauseContainer thaws a paused container; anything else is ErrConflict.
func (f *Runtime) UnpauseContainer(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "UnpauseContainer", name); err != nil {
		return err
	}
	c, err := f.mustContainer(name)
	if err != nil {
		return err
	}
	if !c.paused {
		return stateConflict("container", name, "is not paused")
	}
	f.unpause(c)
	return nil
}

// RemoveContainer removes a container in any state and frees its addresses; a missing one is success. A
// running one is killed first, reporting kill and die as Docker's forced removal does.
func (f *Runtime) RemoveContainer(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "RemoveContainer", name); err != nil {
		return err
	}
	c, ok := f.container(name)
	if !ok {
		return nil
	}
	if c.running {
		f.emit(c, runtime.ActionKill, 0)
		c.spec.AutoRemove = false // removed just below, once
		f.exit(c, 137)
	}
	f.removeContainer(c)
	return nil
}

// removeContainer drops a container, releases its addresses and reports its destroy. Callers hold f.mu.
func (f *Runtime) removeContainer(c *fcontainer) {
	for netName := range c.endpoints {
		if n, ok := f.networks[netName]; ok {
			c.detach(n)
		}
	}
	delete(f.containers, c.spec.Name)
	f.emit(c, runtime.ActionDestroy, 0)
}

// InspectContainer reports a container. IPs has an entry per attached network, empty unless it runs.
func (f *Runtime) InspectContainer(ctx context.Context, name string) (runtime.ContainerInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "InspectContainer", name); err != nil {
		return runtime.ContainerInfo{}, err
	}
	c, err := f.mustContainer(name)
	if err != nil {
		return runtime.ContainerInfo{}, err
	}
	return c.info(), nil
}

func (c *fcontainer) info() runtime.ContainerInfo {
	info := runtime.ContainerInfo{
		ID: c.id, Name: c.spec.Name, Image: c.spec.Image,
		Running: c.running, Paused: c.paused, Status: c.status, ExitCode: c.exitCode, StartedAt: c.startedAt,
		IPs: map[string]string{}, Labels: copyLabels(c.spec.Labels), NanoCPUs: c.nanoCPUs, MemoryByte: c.memory,
	}
	for netName, ep := range c.endpoints {
		info.IPs[netName] = ""
		if c.running {
			info.IPs[netName] = ep.addr.String()
		}
	}
	return info
}

// UpdateResources changes the limits; like Docker, a value of 0 leaves that limit unchanged.
func (f *Runtime) UpdateResources(ctx context.Context, name string, nanoCPUs, memoryByte int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "UpdateResources", name); err != nil {
		return err
	}
	c, err := f.mustContainer(name)
	if err != nil {
		return err
	}
	if nanoCPUs != 0 {
		c.nanoCPUs = nanoCPUs
	}
	if memoryByte != 0 {
		c.memory = memoryByte
	}
	return nil
}
