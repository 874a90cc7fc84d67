package fake

import (
	"context"
	"sort"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// List returns the containers, then volumes, then networks whose labels include all of match, each kind
// sorted by name (the order the Docker runtime uses).
func (f *Runtime) List(ctx context.Context, match runtime.Labels) ([]runtime.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "List"); err != nil {
		return nil, err
	}
	var out []runtime.Object
	add := func(objs []runtime.Object) {
		sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
		out = append(out, objs...)
	}
	var cs, vs, ns []runtime.Object
	for _, c := range f.containers {
		if hasLabels(c.spec.Labels, match) {
			cs = append(cs, runtime.Object{Kind: runtime.KindContainer, Name: c.spec.Name, Labels: copyLabels(c.spec.Labels)})
		}
	}
	for _, v := range f.volumes {
		if hasLabels(v.labels, match) {
			vs = append(vs, runtime.Object{Kind: runtime.KindVolume, Name: v.name, Labels: copyLabels(v.labels)})
		}
	}
	for _, n := range f.networks {
		if hasLabels(n.info.Labels, match) {
			ns = append(ns, runtime.Object{Kind: runtime.KindNetwork, Name: n.info.Name, Labels: copyLabels(n.info.Labels)})
		}
	}
	add(cs)
	add(vs)
	add(ns)
	return out, nil
}
