package spec

import (
	"fmt"
)

// HA states of a server (ha_state), as seed 002 lists them.
const (
	HAStateNotEnabled      = "NotEnabled"
	HAStateInitializing    = "Initializing"    // the standby is being created
	HAStateReplicatingData = "ReplicatingData" // the standby exists and catches up with the primary
	HAStateHealthy         = "Healthy"         // the standby is synchronous
	HAStateFailingOver     = "FailingOver"
	HAStateRemovingStandby = "RemovingStandby"
)

// HAStates returns the values of ha_state.
func HAStates() []string {
	return []string{HAStateNotEnabled, HAStateInitializing, HAStateReplicatingData, HAStateHealthy,
		HAStateFailingOver, HAStateRemovingStandby}
}

// ChooseStandbyZone picks the zone of a server's standby. SameZone keeps it in the primary's zone. For
// ZoneRedundant the user's standby_availability_zone is honoured when given and up; otherwise the cloud picks,
// as the service does: the first zone of the region, in catalog order, that is not the primary's and is not
// down. It fails when no zone qualifies (a region with one zone, or every other zone down).
func ChooseStandbyZone(location, mode, primaryZone, requested string, down func(zone string) bool) (string, error) {
	region, ok := LookupRegion(location)
	if !ok {
		return "", fmt.Errorf("unknown location %q", location)
	}
	if mode == HAModeSameZone {
		if down(primaryZone) {
			return "", fmt.Errorf("zone %s of %s is down: a SameZone standby cannot be placed until it is up", primaryZone, location)
		}
		return primaryZone, nil
	}
	if requested != "" && requested != primaryZone && !down(requested) {
		return requested, nil
	}
	for _, z := range region.Zones {
		if z != primaryZone && !down(z) {
			return z, nil
		}
	}
	return "", fmt.Errorf("no zone of %s other than %s is up: a ZoneRedundant standby cannot be placed", location, primaryZone)
}

// HAChangeBlocked says why a server's high availability cannot be enabled, disabled or failed over in its
// current state ("" when it can): the service refuses while the server is stopped, restarting or failing over.
func HAChangeBlocked(state, haState string) string {
	switch {
	case state == StateStopped || state == "Stopping" || state == "Starting":
		return fmt.Sprintf("the server is %s; start it first", state)
	case state == "Restarting":
		return "the server is restarting; wait until it is Ready"
	case haState == HAStateFailingOver:
		return "the server is failing over; wait until its ha_state is Healthy"
	}
	return ""
}
