package fake

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// fnetwork is one bridge network and the addresses handed out on it.
type fnetwork struct {
	info       runtime.NetworkInfo
	prefix     netip.Prefix
	userSubnet bool                  // fixed addresses need a subnet the user chose, as in Docker
	used       map[netip.Addr]string // address -> container name
}

// CreateNetwork creates a network, or returns the existing one when it has the same owner.
func (f *Runtime) CreateNetwork(ctx context.Context, spec runtime.NetworkSpec) (runtime.NetworkInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "CreateNetwork", spec.Name); err != nil {
		return runtime.NetworkInfo{}, err
	}
	if n, ok := f.networks[spec.Name]; ok {
		if !sameOwner(n.info.Labels, spec.Labels) {
			return runtime.NetworkInfo{}, conflict("network", spec.Name, n.info.Labels)
		}
		return n.snapshot(), nil
	}
	prefix, err := f.subnetFor(spec)
	if err != nil {
		return runtime.NetworkInfo{}, err
	}
	id := f.newID("network", spec.Name)
	n := &fnetwork{
		info: runtime.NetworkInfo{
			ID: id, Name: spec.Name, Subnet: prefix.String(), Gateway: prefix.Addr().Next().String(),
			Bridge: "br-" + id[:12], Labels: copyLabels(spec.Labels),
		},
		prefix:     prefix,
		userSubnet: spec.Subnet != "",
		used:       map[netip.Addr]string{},
	}
	f.networks[spec.Name] = n
	return n.snapshot(), nil
}

// subnetFor validates a requested subnet or picks the next free default one; like Docker it refuses a
// subnet that overlaps another network's.
func (f *Runtime) subnetFor(spec runtime.NetworkSpec) (netip.Prefix, error) {
	if spec.Subnet != "" {
		p, err := netip.ParsePrefix(spec.Subnet)
		if err != nil || !p.Addr().Is4() || p.Bits() > 30 {
			return netip.Prefix{}, fmt.Errorf("fake: network %q: invalid IPv4 subnet %q", spec.Name, spec.Subnet)
		}
		p = p.Masked()
		if other := f.overlapping(p); other != "" {
			return netip.Prefix{}, fmt.Errorf("fake: network %q: subnet %s overlaps network %q", spec.Name, p, other)
		}
		return p, nil
	}
	for f.autoSubnets < 256 {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 99, byte(f.autoSubnets), 0}), 24)
		f.autoSubnets++
		if f.overlapping(p) == "" {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("fake: network %q: default address pools exhausted", spec.Name)
}

func (f *Runtime) overlapping(p netip.Prefix) string {
	for name, n := range f.networks {
		if n.prefix.Overlaps(p) {
			return name
		}
	}
	return ""
}

func (n *fnetwork) snapshot() runtime.NetworkInfo {
	info := n.info
	info.Labels = copyLabels(n.info.Labels)
	return info
}

// network finds a network by name or ID. Callers hold f.mu.
func (f *Runtime) network(ref string) (*fnetwork, bool) {
	if n, ok := f.networks[ref]; ok {
		return n, true
	}
	for _, n := range f.networks {
		if n.info.ID == ref {
			return n, true
		}
	}
	return nil, false
}

// reserve hands out ipv4 (or, when empty, the lowest free host address) to a container.
func (n *fnetwork) reserve(container, ipv4 string) (netip.Addr, error) {
	if ipv4 != "" {
		if !n.userSubnet {
			return netip.Addr{}, fmt.Errorf("fake: network %q: a fixed address needs a network created with a subnet", n.info.Name)
		}
		a, err := netip.ParseAddr(ipv4)
		if err != nil || !n.prefix.Contains(a) || a == n.prefix.Addr() || a == n.gateway() {
			return netip.Addr{}, fmt.Errorf("fake: address %q is not usable on network %q (%s)", ipv4, n.info.Name, n.prefix)
		}
		if owner, taken := n.used[a]; taken {
			return netip.Addr{}, stateConflict("address", ipv4, "is already used by "+owner)
		}
		n.used[a] = container
		return a, nil
	}
	for a := n.gateway().Next(); n.prefix.Contains(a) && a.Next().IsValid() && n.prefix.Contains(a.Next()); a = a.Next() {
		if _, taken := n.used[a]; !taken {
			n.used[a] = container
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("fake: network %q has no free address", n.info.Name)
}

func (n *fnetwork) gateway() netip.Addr { return n.prefix.Addr().Next() }

// InspectNetwork reports a network by name or ID.
func (f *Runtime) InspectNetwork(ctx context.Context, name string) (runtime.NetworkInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "InspectNetwork", name); err != nil {
		return runtime.NetworkInfo{}, err
	}
	n, ok := f.network(name)
	if !ok {
		return runtime.NetworkInfo{}, notFound("network", name)
	}
	return n.snapshot(), nil
}

// RemoveNetwork removes a network; a missing one is success, one with running containers is ErrConflict
// (Docker refuses a network with active endpoints; stopped containers keep a dangling attachment and fail
// to start later).
func (f *Runtime) RemoveNetwork(ctx context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "RemoveNetwork", name); err != nil {
		return err
	}
	n, ok := f.network(name)
	if !ok {
		return nil
	}
	for _, c := range f.containers {
		if _, on := c.endpoints[n.info.Name]; on && c.running {
			return stateConflict("network", name, "has active endpoints")
		}
	}
	delete(f.networks, n.info.Name)
	return nil
}

// ConnectNetwork attaches a container; one already attached is left alone.
func (f *Runtime) ConnectNetwork(ctx context.Context, network, container string, aliases []string, ipv4 string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "ConnectNetwork", network, container); err != nil {
		return err
	}
	c, ok := f.container(container)
	if !ok {
		return notFound("container", container)
	}
	n, ok := f.network(network)
	if !ok {
		return notFound("network", network)
	}
	if _, on := c.endpoints[n.info.Name]; on {
		return nil
	}
	return c.attach(n, aliases, ipv4)
}

// DisconnectNetwork detaches a container; one not attached is success, a missing container or network is
// ErrNotFound.
func (f *Runtime) DisconnectNetwork(ctx context.Context, network, container string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "DisconnectNetwork", network, container); err != nil {
		return err
	}
	n, ok := f.network(network)
	if !ok {
		return notFound("network", network)
	}
	c, ok := f.container(container)
	if !ok {
		return notFound("container", container)
	}
	c.detach(n)
	return nil
}
