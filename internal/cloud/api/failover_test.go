package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func TestFailoverRefusals(t *testing.T) {
	ha := &model.HighAvailability{Mode: spec.HAModeZoneRedundant}
	pair := []store.Instance{{Name: "0", Role: store.RolePrimary}, {Name: "1", Role: store.RoleStandby}}
	healthy := store.HA{State: spec.HAStateHealthy, SyncStandby: "1", SyncOn: true}
	cases := []struct {
		name   string
		server store.Server
		says   string
	}{
		{"no HA", store.Server{Phase: store.PhaseReady, Instances: pair[:1]}, "has no high availability"},
		{"stopped", store.Server{Spec: model.Server{HighAvailability: ha}, Phase: store.PhaseStopped, Instances: pair, HA: healthy}, "is Stopped"},
		{"replicating", store.Server{Spec: model.Server{HighAvailability: ha}, Phase: store.PhaseReady, Instances: pair,
			HA: store.HA{State: spec.HAStateReplicatingData}}, "ha_state is ReplicatingData"},
		{"healthy but the record names no synchronous standby", store.Server{Spec: model.Server{HighAvailability: ha},
			Phase: store.PhaseReady, Instances: pair, HA: store.HA{State: spec.HAStateHealthy}}, "wait until it is Healthy"},
	}
	for _, c := range cases {
		c.server.Spec.Name = "demo"
		_, err := failoverPayload(c.server, model.FailoverPlanned)
		var ae *apiErr
		if !errors.As(err, &ae) || ae.status != http.StatusConflict || !strings.Contains(ae.body.Message, c.says) {
			t.Errorf("%s: %v, want a 409 saying %q", c.name, err, c.says)
		}
	}
	s := store.Server{Spec: model.Server{Name: "demo", HighAvailability: ha}, Phase: store.PhaseReady, Instances: pair, HA: healthy}
	p, err := failoverPayload(s, model.FailoverForced)
	if err != nil || p.From != "0" || p.To != "1" || p.Mode != model.FailoverForced {
		t.Fatalf("a Healthy server: %+v %v", p, err)
	}
}
