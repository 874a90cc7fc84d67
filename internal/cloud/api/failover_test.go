package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
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

func TestHAChangeRefusedInTheServicesStates(t *testing.T) {
	on := &model.HighAvailability{Mode: spec.HAModeZoneRedundant}
	for _, c := range []struct {
		name    string
		server  store.Server
		desired model.Server
		says    string
	}{
		{"stopped", store.Server{Phase: store.PhaseStopped}, model.Server{HighAvailability: on}, "the server is Stopped"},
		{"restarting", store.Server{Phase: store.PhaseRestarting}, model.Server{HighAvailability: on}, "restarting"},
		{"failing over", store.Server{Phase: store.PhaseReady, Spec: model.Server{HighAvailability: on}, HA: store.HA{State: spec.HAStateFailingOver}},
			model.Server{}, "failing over"},
		{"with a stop", store.Server{Phase: store.PhaseReady}, model.Server{HighAvailability: on, State: spec.StateStopped}, "stops the server"},
	} {
		c.server.Spec.Name = "demo"
		err := checkHAChange(c.server, c.desired)
		var ae *apiErr
		if !errors.As(err, &ae) || ae.status != http.StatusConflict || ae.body.Field != "high_availability" || !strings.Contains(ae.body.Message, c.says) {
			t.Errorf("%s: %v, want a 409 on high_availability saying %q", c.name, err, c.says)
		}
	}
	if err := checkHAChange(store.Server{Phase: store.PhaseReady}, model.Server{HighAvailability: on}); err != nil {
		t.Fatalf("enabling HA on a Ready server: %v", err)
	}
}

func TestZoneSwapIsAPlannedFailover(t *testing.T) {
	ha := &model.HighAvailability{Mode: spec.HAModeZoneRedundant}
	s := store.Server{Spec: model.Server{Name: "demo", Zone: "1", HighAvailability: ha}, Phase: store.PhaseReady,
		Instances: []store.Instance{{Name: "0", Role: store.RolePrimary, Zone: "1"}, {Name: "1", Role: store.RoleStandby, Zone: "2"}},
		HA:        store.HA{State: spec.HAStateHealthy, SyncStandby: "1", SyncOn: true}}
	swap := model.Server{Zone: "2", HighAvailability: &model.HighAvailability{Mode: spec.HAModeZoneRedundant, StandbyAvailabilityZone: "1"}}
	p, err := zoneSwap(s, swap)
	if err != nil || p == nil || p.Mode != controller.FailoverPlanned || p.To != "1" {
		t.Fatalf("the swap: %+v %v, want a planned failover to instance 1", p, err)
	}
	if p, err := zoneSwap(s, model.Server{Zone: "1", HighAvailability: ha}); p != nil || err != nil {
		t.Fatalf("no zone change: %+v %v", p, err)
	}
	_, err = zoneSwap(s, model.Server{Zone: "3", HighAvailability: ha})
	var fe spec.FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != "zone" {
		t.Fatalf("zone 3 on a server in zones 1 and 2: %v, want an error on zone", err)
	}
}
