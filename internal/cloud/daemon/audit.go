package daemon

import (
	"context"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// owners is what the state says owns engine objects: resources by ID, the server that adopted each spare
// volume, and the spare volumes still kept for later creates.
type owners struct {
	resources map[string]bool
	adopted   map[string]string // volume → server ID
	spares    map[string]bool
}

func (d *Daemon) owners(tx *store.Tx, st *model.Status) (owners, error) {
	o := owners{resources: map[string]bool{"/cloud/" + d.cloudID + "/public": true}, adopted: map[string]string{}, spares: map[string]bool{}}
	// The regions' backup storage is the cloud's own, as its public network is (and the storage's
	// throwaway job containers while they run).
	o.resources[controller.BackupStorageResource(d.cloudID, "jobs")] = true
	for _, region := range spec.RegionNames() {
		o.resources[controller.BackupStorageResource(d.cloudID, region)] = true
	}
	servers, err := tx.ListServers()
	if err != nil {
		return o, err
	}
	for _, s := range servers {
		o.resources[spec.ServerID(s.Spec.Name)] = true
		for _, in := range s.Instances {
			o.adopted[in.Volume] = spec.ServerID(s.Spec.Name)
		}
	}
	st.Servers = len(servers)
	subnets, err := tx.ListAllSubnets()
	if err != nil {
		return o, err
	}
	for _, s := range subnets {
		o.resources[spec.SubnetID(s.VNet, s.Subnet.Name)] = true
	}
	spares, err := tx.ListSpares()
	for _, s := range spares {
		o.spares[s.Volume] = true
	}
	return o, err
}

// Status audits the engine against the state: every object labelled as managed is either owned by a
// resource of this cloud, a spare volume the cloud keeps, labelled for this cloud but owned by nothing
// (unowned: a leak), or another cloud's.
func (d *Daemon) Status(ctx context.Context) (model.Status, error) {
	st := model.Status{CloudID: d.cloudID, Version: d.cfg.Version, Build: d.cfg.Build}
	var own owners
	err := d.store.View(func(tx *store.Tx) error {
		var err error
		if own, err = d.owners(tx, &st); err != nil {
			return err
		}
		ops, err := tx.ListOperations()
		for _, op := range ops {
			if op.Status == model.OperationRunning {
				st.RunningOperations++
			}
		}
		return err
	})
	if err != nil {
		return st, err
	}
	objects, err := d.rt.List(ctx, runtime.Labels{runtime.LabelManaged: "true"})
	if err != nil {
		return st, err
	}
	spareResource := controller.SpareResource(d.cloudID)
	for _, o := range objects {
		eo := model.EngineObject{Kind: string(o.Kind), Name: o.Name, Resource: o.Labels[runtime.LabelResource], CloudID: o.Labels[runtime.LabelCloud]}
		switch {
		case eo.CloudID == "" && isImageBuildLeftover(o):
			continue
		case eo.CloudID != d.cloudID:
			eo.Reason = "labelled for another cloud instance"
			st.OtherClouds = append(st.OtherClouds, eo)
		case eo.Resource == spareResource && own.adopted[o.Name] != "":
			eo.Resource = own.adopted[o.Name] // a spare volume a server adopted is the server's data
			st.Owned = append(st.Owned, eo)
		case eo.Resource == spareResource && (own.spares[o.Name] || own.spares[controller.SpareOfFill(o.Name)]):
			st.Spares = append(st.Spares, eo)
		case own.resources[eo.Resource]:
			st.Owned = append(st.Owned, eo)
		default:
			eo.Reason = "no resource " + eo.Resource + " exists in this cloud"
			st.Unowned = append(st.Unowned, eo)
		}
	}
	return st, nil
}

// isImageBuildLeftover: objects the image builder or a test labelled managed without a cloud.
func isImageBuildLeftover(o runtime.Object) bool {
	return o.Labels[runtime.LabelTest] != "" || strings.HasPrefix(o.Name, "flexpg-build")
}
