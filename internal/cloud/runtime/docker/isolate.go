package docker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// IsolateContainer cuts every network link of a running or paused container (see runtime.Runtime).
func (r *Runtime) IsolateContainer(ctx context.Context, name string) error {
	return r.setLinks(ctx, name, false)
}

// HealContainer restores the links IsolateContainer cut.
func (r *Runtime) HealContainer(ctx context.Context, name string) error {
	return r.setLinks(ctx, name, true)
}

// setLinks takes down (or up) the host's end of each veth pair that links the container to a bridge.
// The other ways keep less of the container as it was:
//   - disconnecting it from its networks frees its address and aliases, and a network whose subnet the
//     engine chose (the cloud's public one) refuses to give a fixed address back on reconnect;
//   - taking its own eth0 down needs a tool in the image (the PostgreSQL image has no iproute2) and
//     NET_ADMIN, and the kernel drops the container's routes with the link, so a heal would not restore
//     its default route.
//
// A host end taken down leaves the container's side with its address and routes, only without carrier:
// its packets and those sent to it are dropped, as on a cut cable, and setting the host end up again
// restores everything. It works on a paused container too, which cannot run a docker exec. It needs what
// the cloud already needs for its iptables rules: to run as root on the engine's host.
func (r *Runtime) setLinks(ctx context.Context, name string, up bool) error {
	what := "isolate"
	if up {
		what = "heal"
	}
	res, err := r.cli.ContainerInspect(ctx, name)
	if err != nil {
		return classify(err, "%s container %q", what, name)
	}
	if res.ContainerJSONBase == nil || !refersTo(name, strings.TrimPrefix(res.Name, "/"), res.ID) {
		return notFound("container", name)
	}
	if res.State == nil || !res.State.Running || res.State.Pid == 0 {
		return fmt.Errorf("docker: %s container %q: not running: %w", what, name, runtime.ErrConflict)
	}
	links, err := hostLinks(res.State.Pid, endpointMACs(res))
	if err != nil {
		return fmt.Errorf("docker: %s container %q: %w", what, name, err)
	}
	for _, link := range links {
		if err := setLinkUp(link, up); err != nil {
			return fmt.Errorf("docker: %s container %q: %w", what, name, err)
		}
	}
	return nil
}

// endpointMACs maps the MAC address of each of the container's network endpoints to its network.
func endpointMACs(res container.InspectResponse) map[string]string {
	macs := map[string]string{}
	if res.NetworkSettings == nil {
		return macs
	}
	for netName, ep := range res.NetworkSettings.Networks {
		if ep != nil && ep.MacAddress != "" {
			macs[strings.ToLower(ep.MacAddress)] = netName
		}
	}
	return macs
}

// hostLinks returns the host interfaces paired with the container's interfaces that carry the endpoints'
// MAC addresses. The container's own sysfs, seen through its root in /proc, lists its network namespace's
// interfaces, and a veth's iflink is the index of its peer in the host's namespace. Matching by MAC and
// checking that the host interface points back make sure a reused PID or an engine on another host is an
// error, never the wrong interface.
func hostLinks(pid int, macs map[string]string) ([]string, error) {
	if len(macs) == 0 {
		return nil, nil // no network: nothing to cut
	}
	dir := filepath.Join("/proc", strconv.Itoa(pid), "root", "sys", "class", "net")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("read the container's interfaces (the cloud must run as root on the engine's host): %w", err)
		}
		return nil, fmt.Errorf("read the container's interfaces: %w", err)
	}
	var links []string
	found := map[string]bool{}
	for _, e := range entries {
		mac, err := readSysfs(filepath.Join(dir, e.Name(), "address"))
		if err != nil || macs[mac] == "" {
			continue
		}
		link, err := peerOf(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("interface %s for network %q: %w", e.Name(), macs[mac], err)
		}
		links = append(links, link)
		found[mac] = true
	}
	for mac, netName := range macs {
		if !found[mac] {
			return nil, fmt.Errorf("no interface with the address %s of network %q in the container (is the engine on this host?)", mac, netName)
		}
	}
	return links, nil
}

// peerOf returns the name of the host end of the veth whose container end is the sysfs directory dev.
func peerOf(dev string) (string, error) {
	ifindex, err := readSysfsInt(filepath.Join(dev, "ifindex"))
	if err != nil {
		return "", err
	}
	iflink, err := readSysfsInt(filepath.Join(dev, "iflink"))
	if err != nil {
		return "", err
	}
	if iflink == ifindex || iflink == 0 {
		return "", errors.New("not a veth pair")
	}
	host, err := net.InterfaceByIndex(iflink)
	if err != nil {
		return "", fmt.Errorf("host interface %d: %w", iflink, err)
	}
	back, err := readSysfsInt(filepath.Join("/sys/class/net", host.Name, "iflink"))
	if err != nil || back != ifindex {
		return "", fmt.Errorf("host interface %s is not its peer (is the engine on this host?)", host.Name)
	}
	return host.Name, nil
}

func readSysfs(path string) (string, error) {
	b, err := os.ReadFile(path)
	return strings.ToLower(strings.TrimSpace(string(b))), err
}

func readSysfsInt(path string) (int, error) {
	s, err := readSysfs(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}
