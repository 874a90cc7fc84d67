package controller

import (
	"errors"
	"testing"
)

func TestChoosePromotion(t *testing.T) {
	good := candidate{Name: "1", Healthy: true, RecordedSync: true, Timeline: 1}
	cases := []struct {
		name string
		f    promotionFacts
		want string
		err  error
	}{
		{"the synchronous standby", promotionFacts{PrimaryFenced: true, Candidates: []candidate{good}}, "1", nil},
		{"unknown timeline still promotable when recorded sync", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", Healthy: true, RecordedSync: true}}}, "1", nil},
		{"another primary alive", promotionFacts{Candidates: []candidate{good}}, "", errPrimaryNotFenced},
		{"stale: not recorded synchronous", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", Healthy: true, Timeline: 1}}}, "", errStaleCandidate},
		{"lagging behind a later timeline", promotionFacts{PrimaryFenced: true, ServerTimeline: 3,
			Candidates: []candidate{{Name: "1", Healthy: true, RecordedSync: true, Timeline: 2}}}, "", errTimelineBehind},
		{"on the server's timeline after failovers", promotionFacts{PrimaryFenced: true, ServerTimeline: 3,
			Candidates: []candidate{{Name: "4", Healthy: true, RecordedSync: true, Timeline: 3}}}, "4", nil},
		{"down", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", RecordedSync: true, Timeline: 1}}}, "", errCandidateUnhealth},
		{"its zone is down", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", Healthy: true, ZoneDown: true, RecordedSync: true}}}, "", errCandidateUnhealth},
		{"no standby", promotionFacts{PrimaryFenced: true}, "", errNoCandidate},
		{"the stale one is skipped for the synchronous one", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "2", Healthy: true, Timeline: 1}, good}}, "1", nil},
	}
	for _, c := range cases {
		got, err := choosePromotion(c.f)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, err, c.want, c.err)
		}
	}
}
