package docker

import (
	"maps"

	"github.com/docker/docker/api/types/filters"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// sameOwner reports whether an existing object belongs to the same cloud resource as a spec. Only the
// ownership labels decide: other labels may legitimately differ between versions of the cloud.
func sameOwner(have, want map[string]string) bool {
	for _, k := range []string{runtime.LabelCloud, runtime.LabelResource} {
		if have[k] != want[k] {
			return false
		}
	}
	return true
}

// labelFilter turns a label match into engine list filters (label=key=value, all must hold).
func labelFilter(match runtime.Labels) filters.Args {
	args := filters.NewArgs()
	for k, v := range match {
		args.Add("label", k+"="+v)
	}
	return args
}

// copyLabels returns an independent copy, so callers never share maps with the engine's decoded answers.
func copyLabels(in map[string]string) runtime.Labels {
	out := runtime.Labels{}
	maps.Copy(out, in)
	return out
}

// refersTo reports whether an engine object answered for ref really is ref: the engine also resolves ID
// prefixes, and a name must never act on an unrelated object whose ID happens to start with it.
func refersTo(ref, name, id string) bool {
	return ref == name || ref == id
}
