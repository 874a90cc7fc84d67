package docker

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// List returns every container (running or not), volume and network whose labels include all of match,
// containers first, then volumes, then networks, each sorted by name.
func (r *Runtime) List(ctx context.Context, match runtime.Labels) ([]runtime.Object, error) {
	var out []runtime.Object
	for _, list := range []func(context.Context, runtime.Labels) ([]runtime.Object, error){
		r.listContainers, r.listVolumes, r.listNetworks,
	} {
		objs, err := list(ctx, match)
		if err != nil {
			return nil, err
		}
		sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
		out = append(out, objs...)
	}
	return out, nil
}

func (r *Runtime) listContainers(ctx context.Context, match runtime.Labels) ([]runtime.Object, error) {
	cs, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: labelFilter(match)})
	if err != nil {
		return nil, classify(err, "list containers")
	}
	objs := make([]runtime.Object, 0, len(cs))
	for _, c := range cs {
		name := c.ID
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		objs = append(objs, runtime.Object{Kind: runtime.KindContainer, Name: name, Labels: copyLabels(c.Labels)})
	}
	return objs, nil
}

func (r *Runtime) listVolumes(ctx context.Context, match runtime.Labels) ([]runtime.Object, error) {
	vs, err := r.cli.VolumeList(ctx, volume.ListOptions{Filters: labelFilter(match)})
	if err != nil {
		return nil, classify(err, "list volumes")
	}
	objs := make([]runtime.Object, 0, len(vs.Volumes))
	for _, v := range vs.Volumes {
		if v != nil {
			objs = append(objs, runtime.Object{Kind: runtime.KindVolume, Name: v.Name, Labels: copyLabels(v.Labels)})
		}
	}
	return objs, nil
}

func (r *Runtime) listNetworks(ctx context.Context, match runtime.Labels) ([]runtime.Object, error) {
	ns, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: labelFilter(match)})
	if err != nil {
		return nil, classify(err, "list networks")
	}
	objs := make([]runtime.Object, 0, len(ns))
	for _, n := range ns {
		objs = append(objs, runtime.Object{Kind: runtime.KindNetwork, Name: n.Name, Labels: copyLabels(n.Labels)})
	}
	return objs, nil
}

// Sweep removes everything whose labels include all of match: containers first (they hold volumes and
// network endpoints), then volumes, then networks. It keeps going past failures and returns them joined.
// An empty match is refused, because it would select every object on the engine.
func (r *Runtime) Sweep(ctx context.Context, match runtime.Labels) error {
	if len(match) == 0 {
		return errors.New("docker: sweep needs at least one label to match")
	}
	objs, err := r.List(ctx, match)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range objs { // List orders containers, volumes, networks: the order removal needs
		if err := r.remove(ctx, o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Runtime) remove(ctx context.Context, o runtime.Object) error {
	switch o.Kind {
	case runtime.KindContainer:
		return r.RemoveContainer(ctx, o.Name)
	case runtime.KindVolume:
		return r.RemoveVolume(ctx, o.Name)
	case runtime.KindNetwork:
		return r.RemoveNetwork(ctx, o.Name)
	default:
		return fmt.Errorf("docker: sweep: unknown kind %q", o.Kind)
	}
}
