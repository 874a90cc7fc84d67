package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Fault injects a fault into the cloud's own containers, for drills: what happens next (a recovery, a
// failover, a repaired standby) is the cloud's ordinary reaction, exactly as if the fault had come from
// outside. Instance faults act on one instance of a server; a zone going down kills every instance in it and
// keeps new standbys out of it until it is up again.
func (c *Controller) Fault(ctx context.Context, f model.Fault) (model.FaultResult, error) {
	res := model.FaultResult{Action: f.Action}
	switch f.Action {
	case model.FaultZoneDown, model.FaultZoneUp:
		containers, err := c.zoneFault(ctx, f)
		res.Containers = containers
		return res, err
	}
	in, err := c.faultInstance(f)
	if err != nil {
		return res, err
	}
	rt := c.cfg.Runtime
	act := map[string]func(context.Context, string) error{
		model.FaultKill:    func(ctx context.Context, n string) error { return rt.KillContainer(ctx, n, "SIGKILL") },
		model.FaultPause:   rt.PauseContainer,
		model.FaultResume:  rt.UnpauseContainer,
		model.FaultIsolate: rt.IsolateContainer,
		model.FaultHeal:    rt.HealContainer,
	}[f.Action]
	if act == nil {
		return res, &OpError{Code: model.CodeInvalidParameter, Field: "action", Message: fmt.Sprintf(
			"action must be one of kill, pause, resume, isolate, heal, zone-down, zone-up; got %q", f.Action)}
	}
	if err := act(ctx, in.Container); err != nil {
		if errors.Is(err, runtime.ErrConflict) {
			return res, &OpError{Code: model.CodeConflict, Message: fmt.Sprintf(
				"cannot %s the %s instance of %s in its current state: %v", f.Action, in.Role, f.Server, err)}
		}
		return res, err
	}
	res.Containers = []string{in.Container}
	return res, nil
}

// faultInstance finds the instance a fault names.
func (c *Controller) faultInstance(f model.Fault) (store.Instance, error) {
	role := f.Instance
	if role == "" {
		role = store.RolePrimary
	}
	if role != store.RolePrimary && role != store.RoleStandby {
		return store.Instance{}, &OpError{Code: model.CodeInvalidParameter, Field: "instance",
			Message: fmt.Sprintf("instance must be primary or standby; got %q", f.Instance)}
	}
	s, err := c.getServer(f.Server)
	if errors.Is(err, store.ErrNotFound) {
		return store.Instance{}, &OpError{Code: model.CodeNotFound, Field: "server", Message: "server " + f.Server + " not found"}
	}
	if err != nil {
		return store.Instance{}, err
	}
	for _, in := range s.Instances {
		if in.Role == role {
			return in, nil
		}
	}
	return store.Instance{}, &OpError{Code: model.CodeConflict, Field: "instance",
		Message: fmt.Sprintf("server %s has no %s instance (high availability is off or its standby is being built)", f.Server, role)}
}

// zoneFault takes a zone of a region down (recorded first, then every instance in it killed) or up again.
func (c *Controller) zoneFault(ctx context.Context, f model.Fault) ([]string, error) {
	region, ok := spec.LookupRegion(f.Location)
	if !ok || !region.HasZone(f.Zone) {
		return nil, &OpError{Code: model.CodeInvalidParameter, Field: "zone", Message: fmt.Sprintf(
			"zone %q is not a zone of region %q", f.Zone, f.Location)}
	}
	z := store.DownZone{Location: region.Name, Zone: f.Zone}
	if f.Action == model.FaultZoneUp {
		return nil, c.store.Update(func(tx *store.Tx) error { return tx.DeleteDownZone(z) })
	}
	if err := c.store.Update(func(tx *store.Tx) error { return tx.PutDownZone(z) }); err != nil {
		return nil, err
	}
	servers, err := c.listServers()
	if err != nil {
		return nil, err
	}
	var killed []string
	for _, s := range servers {
		if s.Spec.Location != region.Name {
			continue
		}
		for _, in := range s.Instances {
			if in.Zone != f.Zone {
				continue
			}
			if err := c.cfg.Runtime.KillContainer(ctx, in.Container, "SIGKILL"); err != nil &&
				!errors.Is(err, runtime.ErrNotFound) && !errors.Is(err, runtime.ErrConflict) {
				return killed, err
			}
			killed = append(killed, in.Container)
		}
	}
	return killed, nil
}
