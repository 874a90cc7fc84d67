package docker

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// bridgeNameOption is the driver option that names the host interface of a bridge network.
const bridgeNameOption = "com.docker.network.bridge.name"

// CreateNetwork creates an ordinary bridge network with a host address on it, or returns the existing one
// when it has the same owner.
func (r *Runtime) CreateNetwork(ctx context.Context, spec runtime.NetworkSpec) (runtime.NetworkInfo, error) {
	if info, err := r.existingNetwork(ctx, spec); !errors.Is(err, runtime.ErrNotFound) {
		return info, err
	}
	_, err := r.cli.NetworkCreate(ctx, spec.Name, networkCreateOptions(spec))
	if cerrdefs.IsConflict(err) {
		// Created concurrently by someone else: decide by its owner like any existing network.
		return r.existingNetwork(ctx, spec)
	}
	if err != nil {
		return runtime.NetworkInfo{}, classify(err, "create network %q", spec.Name)
	}
	return r.InspectNetwork(ctx, spec.Name)
}

// existingNetwork returns the network named in spec if it exists and has the same owner, ErrConflict if it
// belongs to someone else, and ErrNotFound if there is none.
func (r *Runtime) existingNetwork(ctx context.Context, spec runtime.NetworkSpec) (runtime.NetworkInfo, error) {
	info, err := r.InspectNetwork(ctx, spec.Name)
	if err != nil {
		return runtime.NetworkInfo{}, err
	}
	if !sameOwner(info.Labels, spec.Labels) {
		return runtime.NetworkInfo{}, conflict("network", spec.Name, info.Labels)
	}
	return info, nil
}

// networkCreateOptions builds the engine request. The network is never internal and never without IPv4:
// the host must keep its gateway address so traffic to the subnet stays on this machine.
func networkCreateOptions(spec runtime.NetworkSpec) network.CreateOptions {
	opts := network.CreateOptions{
		Driver:   "bridge",
		Internal: false,
		Labels:   copyLabels(spec.Labels),
	}
	if spec.Subnet != "" {
		// Name the gateway (the engine's own choice, the first address) so inspect reports it: the engine
		// leaves it out of the network's IPAM config when only a subnet is given.
		opts.IPAM = &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{
			Subnet: spec.Subnet, Gateway: firstAddress(spec.Subnet),
		}}}
	}
	return opts
}

// firstAddress returns the first host address of an IPv4 subnet, or "" for anything else (the engine then
// reports the malformed subnet itself).
func firstAddress(subnet string) string {
	p, err := netip.ParsePrefix(subnet)
	if err != nil || !p.Addr().Is4() {
		return ""
	}
	return p.Masked().Addr().Next().String()
}

// InspectNetwork reports a network's addressing and its host bridge interface.
func (r *Runtime) InspectNetwork(ctx context.Context, name string) (runtime.NetworkInfo, error) {
	res, err := r.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err != nil {
		return runtime.NetworkInfo{}, classify(err, "inspect network %q", name)
	}
	if !refersTo(name, res.Name, res.ID) {
		return runtime.NetworkInfo{}, notFound("network", name)
	}
	return networkInfo(res), nil
}

func networkInfo(res network.Inspect) runtime.NetworkInfo {
	info := runtime.NetworkInfo{
		ID:     res.ID,
		Name:   res.Name,
		Bridge: res.Options[bridgeNameOption],
		Labels: copyLabels(res.Labels),
	}
	if info.Bridge == "" && len(res.ID) >= 12 {
		info.Bridge = "br-" + res.ID[:12]
	}
	for _, c := range res.IPAM.Config {
		if p, err := netip.ParsePrefix(c.Subnet); err == nil && p.Addr().Is4() {
			info.Subnet, info.Gateway = c.Subnet, c.Gateway
			if info.Gateway == "" {
				// Created with a subnet but no gateway (not by us): the default IPAM driver gave it the first
				// address.
				info.Gateway = firstAddress(c.Subnet)
			}
			break
		}
	}
	return info
}

// RemoveNetwork removes a network; a missing one is success. A network still in use gives ErrConflict.
func (r *Runtime) RemoveNetwork(ctx context.Context, name string) error {
	info, err := r.InspectNetwork(ctx, name)
	if errors.Is(err, runtime.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	err = r.cli.NetworkRemove(ctx, info.ID)
	switch {
	case err == nil, cerrdefs.IsNotFound(err):
		return nil
	case cerrdefs.IsPermissionDenied(err):
		// The engine answers 403 (permission denied) for a network with active endpoints: for callers that
		// is a conflict with the objects still using it, tested with ErrConflict like a volume in use.
		return fmt.Errorf("docker: remove network %q: in use: %w: %w", name, runtime.ErrConflict, err)
	default:
		return classify(err, "remove network %q", name)
	}
}

// ConnectNetwork attaches a container to a network with DNS aliases and an optional fixed address. It is
// idempotent: a container already on the network is left as it is.
func (r *Runtime) ConnectNetwork(ctx context.Context, netName, container string, aliases []string, ipv4 string) error {
	info, err := r.InspectContainer(ctx, container)
	if err != nil {
		return err
	}
	if _, ok := info.IPs[netName]; ok {
		return nil
	}
	if err := r.cli.NetworkConnect(ctx, netName, info.ID, endpointSettings(aliases, ipv4)); err != nil {
		return classify(err, "connect container %q to network %q", container, netName)
	}
	return nil
}

// DisconnectNetwork detaches a container from a network; a container not on it is success, a missing
// container or network is ErrNotFound.
func (r *Runtime) DisconnectNetwork(ctx context.Context, netName, container string) error {
	if _, err := r.InspectNetwork(ctx, netName); err != nil {
		return err
	}
	info, err := r.InspectContainer(ctx, container)
	if err != nil {
		return err
	}
	if _, ok := info.IPs[netName]; !ok {
		return nil
	}
	if err := r.cli.NetworkDisconnect(ctx, netName, info.ID, false); err != nil {
		return classify(err, "disconnect container %q from network %q", container, netName)
	}
	return nil
}

// endpointSettings describes one network attachment.
func endpointSettings(aliases []string, ipv4 string) *network.EndpointSettings {
	ep := &network.EndpointSettings{Aliases: append([]string(nil), aliases...)}
	if ipv4 != "" {
		ep.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: ipv4}
	}
	return ep
}
