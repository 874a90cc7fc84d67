package controller

import (
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func TestDecideReplicationState(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { at := now.Add(-d); return &at }
	for _, tc := range []struct {
		name      string
		f         replicationFacts
		want      string
		wantSince bool
	}{
		{"streaming", replicationFacts{State: spec.ReplicationStateActive, Streaming: true}, spec.ReplicationStateActive, false},
		{"first miss", replicationFacts{State: spec.ReplicationStateActive}, spec.ReplicationStateActive, true},
		{"missing a while", replicationFacts{State: spec.ReplicationStateActive, UnreachableSince: ago(brokenAfter / 2)}, spec.ReplicationStateActive, true},
		{"missing too long", replicationFacts{State: spec.ReplicationStateActive, UnreachableSince: ago(brokenAfter)}, spec.ReplicationStateBroken, true},
		{"back", replicationFacts{State: spec.ReplicationStateBroken, Streaming: true, UnreachableSince: ago(time.Hour)}, spec.ReplicationStateActive, false},
		{"primary stopped on purpose", replicationFacts{State: spec.ReplicationStateActive, UpstreamStopped: true, UnreachableSince: ago(time.Hour)}, spec.ReplicationStateActive, false},
		{"an operation's state is left alone", replicationFacts{State: spec.ReplicationStateCatchup}, spec.ReplicationStateCatchup, false},
	} {
		tc.f.Now = now
		got, since := decideReplicationState(tc.f)
		if got != tc.want || (since != nil) != tc.wantSince {
			t.Errorf("%s: %s since %v; want %s (since set: %v)", tc.name, got, since, tc.want, tc.wantSince)
		}
	}
}
