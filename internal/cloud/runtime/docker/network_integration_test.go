package docker

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

func TestNetworkLifecycle(t *testing.T) {
	env := newTestEnv(t)
	name := env.name("net")
	labels := env.owned("/virtualNetworks/a")

	info, err := env.rt.CreateNetwork(env.ctx, runtime.NetworkSpec{Name: name, Labels: labels})
	if err != nil {
		t.Fatalf("CreateNetwork: %v", err)
	}
	if info.Name != name || info.ID == "" || info.Subnet == "" || info.Gateway == "" || info.Bridge == "" {
		t.Fatalf("CreateNetwork info incomplete: %+v", info)
	}
	subnet := netip.MustParsePrefix(info.Subnet)
	if !subnet.Contains(netip.MustParseAddr(info.Gateway)) {
		t.Errorf("gateway %s outside subnet %s", info.Gateway, info.Subnet)
	}
	if info.Bridge != "br-"+info.ID[:12] {
		t.Errorf("bridge = %q, want br-%s", info.Bridge, info.ID[:12])
	}
	if info.Labels[runtime.LabelResource] != "/virtualNetworks/a" {
		t.Errorf("labels = %v", info.Labels)
	}
	// The host must keep its address on the bridge: that is what keeps traffic to the subnet local.
	ifc, ok := hostHasAddress(t, info.Gateway)
	if !ok {
		t.Fatalf("no host interface carries gateway %s", info.Gateway)
	}
	if ifc != info.Bridge {
		t.Errorf("gateway %s is on %s, want %s", info.Gateway, ifc, info.Bridge)
	}

	again, err := env.rt.CreateNetwork(env.ctx, runtime.NetworkSpec{Name: name, Labels: labels})
	if err != nil || again.ID != info.ID {
		t.Fatalf("re-create: id %q err %v, want id %q", again.ID, err, info.ID)
	}
	_, err = env.rt.CreateNetwork(env.ctx, runtime.NetworkSpec{Name: name, Labels: env.owned("/virtualNetworks/other")})
	if !errors.Is(err, runtime.ErrConflict) {
		t.Fatalf("create with foreign owner: err %v, want ErrConflict", err)
	}

	if err := env.rt.RemoveNetwork(env.ctx, name); err != nil {
		t.Fatalf("RemoveNetwork: %v", err)
	}
	if _, err := env.rt.InspectNetwork(env.ctx, name); !errors.Is(err, runtime.ErrNotFound) {
		t.Fatalf("inspect removed network: err %v, want ErrNotFound", err)
	}
	if err := env.rt.RemoveNetwork(env.ctx, name); err != nil {
		t.Fatalf("second RemoveNetwork: %v", err)
	}
}

func TestNetworkWithSubnet(t *testing.T) {
	env := newTestEnv(t)
	info := env.createSubnetNetwork(t, env.name("subnet"), env.owned("/virtualNetworks/b/subnets/s"))
	p := netip.MustParsePrefix(info.Subnet)
	if p.Bits() != 24 || p.Addr().As4()[0] != 10 || p.Addr().As4()[1] != 251 {
		t.Fatalf("subnet = %s, want the requested 10.251.x.0/24", info.Subnet)
	}
	if want := p.Addr().Next().String(); info.Gateway != want {
		t.Errorf("gateway = %s, want %s", info.Gateway, want)
	}
	if _, ok := hostHasAddress(t, info.Gateway); !ok {
		t.Errorf("no host interface carries gateway %s", info.Gateway)
	}
}

func TestVolumeLifecycle(t *testing.T) {
	env := newTestEnv(t)
	name := env.name("data")
	spec := runtime.VolumeSpec{Name: name, Labels: env.owned("/flexibleServers/v")}

	for i := range 2 { // the second create must be a no-op
		if err := env.rt.CreateVolume(env.ctx, spec); err != nil {
			t.Fatalf("CreateVolume #%d: %v", i+1, err)
		}
	}
	foreign := runtime.VolumeSpec{Name: name, Labels: env.owned("/flexibleServers/other")}
	if err := env.rt.CreateVolume(env.ctx, foreign); !errors.Is(err, runtime.ErrConflict) {
		t.Fatalf("create with foreign owner: err %v, want ErrConflict", err)
	}
	objs, err := env.rt.List(env.ctx, runtime.Labels{runtime.LabelTest: env.id})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Kind != runtime.KindVolume || objs[0].Name != name {
		t.Fatalf("List = %+v, want just volume %s", objs, name)
	}
	for i := range 2 { // removing a missing volume is success
		if err := env.rt.RemoveVolume(env.ctx, name); err != nil {
			t.Fatalf("RemoveVolume #%d: %v", i+1, err)
		}
	}
	if objs, _ := env.rt.List(env.ctx, runtime.Labels{runtime.LabelTest: env.id}); len(objs) != 0 {
		t.Fatalf("after remove List = %+v", objs)
	}
}

func TestListAndSweep(t *testing.T) {
	env := newTestEnv(t)
	env.withTestbox(t)
	netName, volName, ctrName := env.name("lnet"), env.name("lvol"), env.name("lctr")
	if _, err := env.rt.CreateNetwork(env.ctx, runtime.NetworkSpec{Name: netName, Labels: env.labels}); err != nil {
		t.Fatal(err)
	}
	if err := env.rt.CreateVolume(env.ctx, runtime.VolumeSpec{Name: volName, Labels: env.labels}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.rt.CreateContainer(env.ctx, runtime.ContainerSpec{
		Name: ctrName, Image: testboxRef, Labels: env.labels, Network: netName,
		Mounts: []runtime.Mount{{Volume: volName, Target: "/data"}},
	}); err != nil {
		t.Fatal(err)
	}

	objs, err := env.rt.List(env.ctx, runtime.Labels{runtime.LabelTest: env.id, runtime.LabelManaged: "true"})
	if err != nil {
		t.Fatal(err)
	}
	want := []runtime.Object{
		{Kind: runtime.KindContainer, Name: ctrName},
		{Kind: runtime.KindVolume, Name: volName},
		{Kind: runtime.KindNetwork, Name: netName},
	}
	if len(objs) != len(want) {
		t.Fatalf("List = %+v, want %d objects", objs, len(want))
	}
	for i, w := range want {
		if objs[i].Kind != w.Kind || objs[i].Name != w.Name || objs[i].Labels[runtime.LabelTest] != env.id {
			t.Errorf("List[%d] = %+v, want %s %s", i, objs[i], w.Kind, w.Name)
		}
	}
	none, err := env.rt.List(env.ctx, runtime.Labels{runtime.LabelTest: env.id, "io.flexpg.absent": "x"})
	if err != nil || len(none) != 0 {
		t.Fatalf("List with unmatched label = %+v, %v; want nothing", none, err)
	}

	if err := env.rt.Sweep(env.ctx, runtime.Labels{}); err == nil {
		t.Fatal("Sweep with no labels must be refused")
	}
	if err := env.rt.Sweep(env.ctx, runtime.Labels{runtime.LabelTest: env.id}); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if left, err := env.rt.List(env.ctx, runtime.Labels{runtime.LabelTest: env.id}); err != nil || len(left) != 0 {
		t.Fatalf("after Sweep List = %+v, %v", left, err)
	}
}
