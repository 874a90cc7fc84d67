package fake

import (
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

func notFound(kind, name string) error {
	return fmt.Errorf("fake: %s %q: %w", kind, name, runtime.ErrNotFound)
}

// conflict reports an object that exists under the name with another owner.
func conflict(kind, name string, have runtime.Labels) error {
	return fmt.Errorf("fake: %s %q exists owned by cloud=%q resource=%q: %w", kind, name,
		have[runtime.LabelCloud], have[runtime.LabelResource], runtime.ErrConflict)
}

// stateConflict reports an operation the object's state does not allow, classified like Docker's 409.
func stateConflict(kind, name, why string) error {
	return fmt.Errorf("fake: %s %q %s: %w", kind, name, why, runtime.ErrConflict)
}

// sameOwner mirrors the Docker runtime: only the cloud and resource labels decide ownership.
func sameOwner(have, want runtime.Labels) bool {
	return have[runtime.LabelCloud] == want[runtime.LabelCloud] &&
		have[runtime.LabelResource] == want[runtime.LabelResource]
}

// hasLabels reports whether have includes every entry of match.
func hasLabels(have, match runtime.Labels) bool {
	for k, v := range match {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func copyLabels(in runtime.Labels) runtime.Labels {
	out := runtime.Labels{}
	for k, v := range in {
		out[k] = v
	}
	return out
}
