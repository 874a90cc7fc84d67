package provider

import (
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// haStateDescription documents ha_state from the spec's list of states, so the docs name exactly the
// values the cloud reports.
func haStateDescription() string {
	states := spec.HAStates()
	for i, s := range states {
		states[i] = "`" + s + "`"
	}
	return "High-availability state reported by the cloud, as the service reports it: one of " +
		strings.Join(states, ", ") + ". `FailingOver` while a failover runs; `ReplicatingData` while a " +
		"standby is (re)built or catching up, during which the primary serves writes without waiting for it."
}
