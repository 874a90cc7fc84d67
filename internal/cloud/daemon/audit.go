package daemon

import (
	"context"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// Status audits the engine against the state: every object labelled as managed is either owned by a
// resource of this cloud, labelled for this cloud but owned by nothing (unowned: a leak), or another cloud's.
func (d *Daemon) Status(ctx context.Context) (model.Status, error) {
	st := model.Status{CloudID: d.cloudID, Version: d.cfg.Version, Build: d.cfg.Build}
	known := map[string]bool{"/cloud/" + d.cloudID + "/public": true}
	err := d.store.View(func(tx *store.Tx) error {
		servers, err := tx.ListServers()
		for _, s := range servers {
			known["/flexibleServers/"+s.Spec.Name] = true
		}
		st.Servers = len(servers)
		ops, err2 := tx.ListOperations()
		for _, op := range ops {
			if op.Status == model.OperationRunning {
				st.RunningOperations++
			}
		}
		if err == nil {
			err = err2
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
	for _, o := range objects {
		eo := model.EngineObject{Kind: string(o.Kind), Name: o.Name, Resource: o.Labels[runtime.LabelResource], CloudID: o.Labels[runtime.LabelCloud]}
		switch {
		case eo.CloudID == "" && isImageBuildLeftover(o):
			continue
		case eo.CloudID != d.cloudID:
			eo.Reason = "labelled for another cloud instance"
			st.OtherClouds = append(st.OtherClouds, eo)
		case known[eo.Resource]:
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
