package store

import (
	"slices"
	"testing"
	"time"
)

// Rules hands the spec only completed backups; the pair's view only those copied there, its periods ending
// at the copy's horizon, and marked as the geo copy (whose refusals say the copy trails).
func TestArchiveRules(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	a := Archive{Server: "s", RetentionDays: 7, GeoThrough: at(5),
		Periods: []Period{{Start: at(0), End: at(2)}, {Start: at(3)}, {Start: at(6)}},
		Backups: []FullBackup{
			{Name: "b1", Completed: at(0), GeoCopied: true},
			{Name: "b2", Completed: at(4)},
			{Name: "b3"}, // being taken
		}}
	local := a.Rules(false)
	if !slices.Equal(local.Backups, []time.Time{at(0), at(4)}) || local.GeoCopy || len(local.Periods) != 3 {
		t.Errorf("local rules %+v: want the two completed backups, all periods, not the geo copy", local)
	}
	geo := a.Rules(true)
	want := []Period{{Start: at(0), End: at(2)}, {Start: at(3), End: at(5)}}
	if !slices.Equal(geo.Backups, []time.Time{at(0)}) || !geo.GeoCopy || !slices.Equal(geo.Periods, want) {
		t.Errorf("geo rules %+v: want b1 only, periods %v, marked as the geo copy", geo, want)
	}
}
