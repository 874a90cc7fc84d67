package docker

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// removePollInterval is how often RemoveContainer re-checks a container whose removal the engine is still
// finishing (for example one being auto-removed).
const removePollInterval = 50 * time.Millisecond

// inProgressRemoveWait bounds the wait for a removal someone else started.
const inProgressRemoveWait = 30 * time.Second

// CreateContainer creates (does not start) a container and returns its ID. An existing container with the
// same name and owner is returned as it is.
func (r *Runtime) CreateContainer(ctx context.Context, spec runtime.ContainerSpec) (string, error) {
	if id, err := r.existingContainer(ctx, spec); !errors.Is(err, runtime.ErrNotFound) {
		return id, err
	}
	id, err := r.createContainer(ctx, spec)
	if cerrdefs.IsConflict(err) {
		// Created concurrently: decide by its owner like any existing container.
		return r.existingContainer(ctx, spec)
	}
	return id, err
}

// createContainer issues the engine create and returns the raw engine error for the caller to classify.
func (r *Runtime) createContainer(ctx context.Context, spec runtime.ContainerSpec) (string, error) {
	res, err := r.cli.ContainerCreate(ctx, containerConfig(spec), hostConfig(spec), networkingConfig(spec), nil, spec.Name)
	if err != nil {
		if cerrdefs.IsConflict(err) {
			return "", err
		}
		return "", classify(err, "create container %q", spec.Name)
	}
	if len(res.Warnings) > 0 {
		slog.DebugContext(ctx, "docker create warnings", "container", spec.Name, "warnings", res.Warnings)
	}
	return res.ID, nil
}

// existingContainer returns the ID of the container named in spec if it has the same owner, ErrConflict if
// someone else owns it, ErrNotFound if there is none.
func (r *Runtime) existingContainer(ctx context.Context, spec runtime.ContainerSpec) (string, error) {
	info, err := r.InspectContainer(ctx, spec.Name)
	if err != nil {
		return "", err
	}
	if !sameOwner(info.Labels, spec.Labels) {
		return "", conflict("container", spec.Name, info.Labels)
	}
	return info.ID, nil
}

func containerConfig(spec runtime.ContainerSpec) *container.Config {
	return &container.Config{
		Image:      spec.Image,
		Hostname:   spec.Hostname,
		Cmd:        append([]string(nil), spec.Cmd...),
		Env:        append([]string(nil), spec.Env...),
		Labels:     copyLabels(spec.Labels),
		StopSignal: spec.StopSignal,
	}
}

func hostConfig(spec runtime.ContainerSpec) *container.HostConfig {
	hc := &container.HostConfig{
		AutoRemove:    spec.AutoRemove,
		CapAdd:        append([]string(nil), spec.CapAdd...),
		DNS:           append([]string(nil), spec.DNS...),
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
		Resources:     resources(spec.NanoCPUs, spec.MemoryByte),
	}
	if spec.Network == runtime.NoNetwork {
		hc.NetworkMode = container.NetworkMode(runtime.NoNetwork)
	}
	for _, m := range spec.Mounts {
		hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeVolume, Source: m.Volume, Target: m.Target})
	}
	return hc
}

// resources sets the CPU and memory limits. Swap is capped at the memory limit so the limit is real: with
// the engine's default a container may use as much swap again.
func resources(nanoCPUs, memoryByte int64) container.Resources {
	res := container.Resources{NanoCPUs: nanoCPUs, Memory: memoryByte}
	if memoryByte > 0 {
		res.MemorySwap = memoryByte
	}
	return res
}

func networkingConfig(spec runtime.ContainerSpec) *network.NetworkingConfig {
	if spec.Network == "" || spec.Network == runtime.NoNetwork {
		return nil
	}
	return &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		spec.Network: endpointSettings(spec.Aliases, spec.IPv4),
	}}
}

// StartContainer starts a created or stopped container; a running one is left alone.
func (r *Runtime) StartContainer(ctx context.Context, name string) error {
	return classify(r.cli.ContainerStart(ctx, name, container.StartOptions{}), "start container %q", name)
}

// StopContainer sends the container's stop signal and kills it if it has not exited after grace.
func (r *Runtime) StopContainer(ctx context.Context, name string, grace time.Duration) error {
	timeout := int(math.Ceil(grace.Seconds()))
	return classify(r.cli.ContainerStop(ctx, name, container.StopOptions{Timeout: &timeout}), "stop container %q", name)
}

// KillContainer sends a signal (SIGKILL when empty). Killing a container that is not running is ErrConflict.
//
// A paused container needs nothing more: the engine sends the signal to the frozen processes and, for
// SIGKILL and the container's stop signal, thaws the container afterwards. A frozen process takes pending
// signals first when it thaws, so after a SIGKILL it never runs again (TestKillPaused). Any other signal
// stays pending and the container paused.
func (r *Runtime) KillContainer(ctx context.Context, name string, signal string) error {
	return classify(r.cli.ContainerKill(ctx, name, signal), "signal %s to container %q", signal, name)
}

// PauseContainer freezes every process of the container.
func (r *Runtime) PauseContainer(ctx context.Context, name string) error {
	return classify(r.cli.ContainerPause(ctx, name), "pause container %q", name)
}

// UnpauseContainer thaws a paused container.
func (r *Runtime) UnpauseContainer(ctx context.Context, name string) error {
	return classify(r.cli.ContainerUnpause(ctx, name), "unpause container %q", name)
}

// RemoveContainer force-removes a container and returns once the engine no longer knows it, so its name
// can be reused at once. A missing container is success.
func (r *Runtime) RemoveContainer(ctx context.Context, name string) error {
	info, err := r.InspectContainer(ctx, name)
	if errors.Is(err, runtime.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	err = r.cli.ContainerRemove(ctx, info.ID, container.RemoveOptions{Force: true})
	switch {
	case err == nil, cerrdefs.IsNotFound(err):
		return r.waitGone(ctx, info.ID)
	case cerrdefs.IsConflict(err):
		// A removal already under way (auto-remove) answers "conflict": give it time to finish, but not
		// forever in case the conflict has another cause.
		waitCtx, cancel := context.WithTimeout(ctx, inProgressRemoveWait)
		defer cancel()
		if r.waitGone(waitCtx, info.ID) == nil {
			return nil
		}
		return classify(err, "remove container %q", name)
	default:
		return classify(err, "remove container %q", name)
	}
}

// waitGone polls until the engine reports the container as not found.
func (r *Runtime) waitGone(ctx context.Context, id string) error {
	ticker := time.NewTicker(removePollInterval)
	defer ticker.Stop()
	for {
		_, err := r.cli.ContainerInspect(ctx, id)
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return classify(err, "wait for removal of container %s", id)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// InspectContainer reports state, addresses, labels and limits of a container. IPs has an entry for every
// attached network; its address is empty until the container runs.
func (r *Runtime) InspectContainer(ctx context.Context, name string) (runtime.ContainerInfo, error) {
	res, err := r.cli.ContainerInspect(ctx, name)
	if err != nil {
		return runtime.ContainerInfo{}, classify(err, "inspect container %q", name)
	}
	if res.ContainerJSONBase == nil || !refersTo(name, strings.TrimPrefix(res.Name, "/"), res.ID) {
		return runtime.ContainerInfo{}, notFound("container", name)
	}
	return containerInfo(res), nil
}

func containerInfo(res container.InspectResponse) runtime.ContainerInfo {
	info := runtime.ContainerInfo{
		ID:   res.ID,
		Name: strings.TrimPrefix(res.Name, "/"),
		IPs:  map[string]string{},
	}
	if res.Config != nil {
		info.Image = res.Config.Image
		info.Labels = copyLabels(res.Config.Labels)
	}
	if s := res.State; s != nil {
		info.Running, info.Paused = s.Running, s.Paused
		info.Status, info.ExitCode = string(s.Status), s.ExitCode
		info.StartedAt = parseEngineTime(s.StartedAt)
	}
	if res.HostConfig != nil {
		info.NanoCPUs, info.MemoryByte = res.HostConfig.NanoCPUs, res.HostConfig.Memory
	}
	if res.NetworkSettings != nil {
		for netName, ep := range res.NetworkSettings.Networks {
			if ep != nil {
				info.IPs[netName] = ep.IPAddress
			}
		}
	}
	return info
}

// parseEngineTime reads an engine timestamp; the engine writes the zero time as "0001-01-01T00:00:00Z",
// which parses to Go's zero time as well.
func parseEngineTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// UpdateResources changes the CPU and memory limits of a container, running or not. The engine keeps a
// limit given as 0 unchanged: it cannot lift a limit once set.
func (r *Runtime) UpdateResources(ctx context.Context, name string, nanoCPUs, memoryByte int64) error {
	_, err := r.cli.ContainerUpdate(ctx, name, container.UpdateConfig{Resources: resources(nanoCPUs, memoryByte)})
	return classify(err, "update resources of container %q", name)
}
