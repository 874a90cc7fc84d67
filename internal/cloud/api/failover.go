package api

import (
	"encoding/json"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// serverFailover handles POST /flexibleServers/{server}/failover: seed 002's on-demand failover. It is
// refused with a conflict unless the server runs with a Healthy standby, the only state in which promoting
// the standby loses nothing.
func (a *API) serverFailover(w http.ResponseWriter, r *http.Request, name string) {
	var req model.Failover
	if !decode(w, r, &req) {
		return
	}
	if req.Mode != model.FailoverPlanned && req.Mode != model.FailoverForced {
		a.fail(w, spec.FieldErrors{spec.NewFieldError("mode", spec.KindAllowedValues,
			"must be %q or %q; got %q", model.FailoverPlanned, model.FailoverForced, req.Mode)})
		return
	}
	a.holdServer(w, name, controller.KindServerFailover, func(_ *store.Tx, s store.Server, _ *store.Operation) ([]byte, string, error) {
		payload, err := failoverPayload(s, req.Mode)
		if err != nil {
			return nil, "", err
		}
		body, err := json.Marshal(payload)
		return body, store.PhaseUpdating, err
	})
}

// failoverPayload decides a requested failover: from the primary to the synchronous standby of a Healthy
// server, or a conflict that says why not.
func failoverPayload(s store.Server, mode string) (controller.FailoverPayload, error) {
	name := s.Spec.Name
	primary, okP := s.Primary()
	standby, okS := s.Standby()
	switch {
	case s.Spec.HighAvailability == nil || !okS:
		return controller.FailoverPayload{}, conflictf("server %s has no high availability: there is no standby to fail over to; add a high_availability block first", name)
	case s.Phase != store.PhaseReady:
		return controller.FailoverPayload{}, conflictf("server %s is %s: a failover needs a Ready server", name, s.Phase)
	case s.HA.State != spec.HAStateHealthy || s.HA.SyncStandby != standby.Name || !okP:
		state := s.HA.State
		if state == "" {
			state = spec.HAStateNotEnabled
		}
		return controller.FailoverPayload{}, conflictf("server %s cannot fail over while its ha_state is %s: wait until it is Healthy (its standby synchronous again)", name, state)
	}
	return controller.FailoverPayload{Mode: mode, From: primary.Name, To: standby.Name}, nil
}
