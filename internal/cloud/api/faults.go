package api

import (
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// injectFault handles POST /faults: a fault performed at once on the cloud's own containers (kill, pause,
// resume, isolate, heal of an instance; zone-down, zone-up), for drills. It answers with what it acted on;
// the cloud's reaction (recovery, failover, a new standby) follows as operations of their own.
func (a *API) injectFault(w http.ResponseWriter, r *http.Request) {
	var f model.Fault
	if !decode(w, r, &f) {
		return
	}
	res, err := a.cfg.Ops.Fault(r.Context(), f)
	if err != nil {
		a.fail(w, err)
		return
	}
	a.log.Warn("fault injected", "action", f.Action, "server", f.Server, "instance", f.Instance,
		"location", f.Location, "zone", f.Zone, "containers", res.Containers)
	writeJSON(w, http.StatusOK, res)
}
