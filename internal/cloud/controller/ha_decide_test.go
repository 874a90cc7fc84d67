package controller

import (
	"errors"
	"testing"
)

func TestChoosePromotion(t *testing.T) {
	good := candidate{Name: "1", Healthy: true, RecordedSync: true, Timeline: 1, LagBytes: -1}
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
		{"lag: a synchronous standby behind on WAL still holds every acknowledged commit", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", Healthy: true, RecordedSync: true, Timeline: 1, LagBytes: 1 << 20}}}, "1", nil},
		{"lag: an asynchronous standby caught up is still not promoted automatically", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", Healthy: true, Timeline: 1, LagBytes: 0}}}, "", errStaleCandidate},
		{"lag: the most advanced eligible candidate wins", promotionFacts{PrimaryFenced: true, Candidates: []candidate{
			{Name: "1", Healthy: true, RecordedSync: true, Timeline: 1, LagBytes: 4096},
			{Name: "2", Healthy: true, RecordedSync: true, Timeline: 1, LagBytes: 512}}}, "2", nil},
		{"unknown state: an unhealthy candidate's lag does not matter", promotionFacts{PrimaryFenced: true,
			Candidates: []candidate{{Name: "1", RecordedSync: true, Timeline: 1, LagBytes: 0}}}, "", errCandidateUnhealth},
	}
	for _, c := range cases {
		got, err := choosePromotion(c.f)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, err, c.want, c.err)
		}
	}
}
