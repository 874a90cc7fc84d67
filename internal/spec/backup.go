package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Backups as the service documents them (seeds 000, 002, 004): WAL archived continuously, a full backup
// taken right after creation and then on a schedule, everything kept for backup_retention_days, restore to
// any point of that window as a new standalone server. The cloud keeps times on its own clock, which tests
// may advance (cloud clock advance).
const (
	// ArchiveTimeout bounds how long a commit waits in a WAL segment that is not full before the segment is
	// switched and archived: the archive's recovery point objective. The service's is up to five minutes;
	// ha-reliability BAR-P3 asks for at most 60 s.
	ArchiveTimeout = 60 * time.Second
	// BackupInterval is how often a primary gets a new full (base) backup, on the cloud's clock.
	BackupInterval = 24 * time.Hour
	// GeoCopyDelay is how far the copy of the backups in a region's pair lags behind on the cloud's clock:
	// a file is copied once it is this old. The service documents up to an hour of geo-replication lag;
	// ten minutes keeps rehearsals short while a geo-restore still visibly misses the latest writes.
	GeoCopyDelay = 10 * time.Minute
)

// CreateModeGeoRestore restores a server from the copy of its backups in the source region's pair.
const CreateModeGeoRestore = "GeoRestore"

// IsRestoreMode reports whether a create mode restores from a source server's backups.
func IsRestoreMode(mode string) bool {
	return mode == CreateModePointInTimeRestore || mode == CreateModeGeoRestore
}

// regionPairs are Azure's region pairs, restricted to the catalog: a region whose pair is not in the
// catalog has no geo-redundant backup here. Brazil South is paired one way with South Central US, as on
// Azure (South Central US's own pair, North Central US, is not in the catalog).
var regionPairs = map[string]string{
	"australiaeast": "australiasoutheast", "australiasoutheast": "australiaeast",
	"brazilsouth": "southcentralus",
	"centralus":   "eastus2", "eastus2": "centralus",
	"eastasia": "southeastasia", "southeastasia": "eastasia",
	"eastus": "westus", "westus": "eastus",
	"japaneast": "japanwest", "japanwest": "japaneast",
	"koreacentral": "koreasouth", "koreasouth": "koreacentral",
	"northeurope": "westeurope", "westeurope": "northeurope",
	"uksouth": "ukwest", "ukwest": "uksouth",
}

// PairedRegion is the region that holds a region's geo-redundant backups.
func PairedRegion(region string) (string, bool) {
	p, ok := regionPairs[region]
	return p, ok
}

// ValidateGeoRedundantBackup checks geo_redundant_backup_enabled against the server's region: the copy
// goes to the region's pair, so a region without one in the catalog cannot have it.
func ValidateGeoRedundantBackup(location string, enabled bool) *FieldError {
	if !enabled {
		return nil
	}
	if _, ok := LookupRegion(location); !ok {
		return nil // the location's own rule reports it
	}
	if _, ok := PairedRegion(location); ok {
		return nil
	}
	return NewFieldError("geo_redundant_backup_enabled", KindGeoPair,
		"is not available in region %s: its paired region is not in the catalog, so there is nowhere to copy the backups; "+
			"use a region with a pair (%s) or leave it false", location, pairedRegionList())
}

func pairedRegionList() string {
	names := make([]string, 0, len(regionPairs))
	for r := range regionPairs {
		names = append(names, r)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// ParseRestoreTime parses point_in_time_restore_time_in_utc: RFC 3339, fractions of a second allowed.
func ParseRestoreTime(v string) (time.Time, *FieldError) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, NewFieldError("point_in_time_restore_time_in_utc", KindFormat,
			"must be an RFC 3339 time such as 2025-01-31T12:00:00Z or 2025-01-31T12:00:00.250Z; got %s", quote(v))
	}
	return t.UTC(), nil
}

// Period is a stretch of time during which a server was a primary, so its WAL was archived. End is zero
// while it lasts. A read replica has none while it is one; promoting it starts one, becoming a replica
// again (the old primary of a switchover) ends it.
type Period struct {
	Start, End time.Time
}

func (p Period) contains(t time.Time) bool {
	return !t.Before(p.Start) && (p.End.IsZero() || !t.After(p.End))
}

// Archive is what the backup rules know about one server's backups: its primary periods and the completion
// times of its base backups, oldest first. A restore needs a base backup and then unbroken WAL up to the
// target, so a target counts only when a backup completed before it in the same period.
type Archive struct {
	Server        string
	RetentionDays int64
	Periods       []Period
	Backups       []time.Time
	// Deleted is the time the server was deleted (zero while it exists): the archive ends there.
	Deleted time.Time
	// GeoCopy marks the copy in the region's pair, which trails the archive by GeoCopyDelay.
	GeoCopy bool
}

// Window is a span of restorable times.
type Window struct{ From, To time.Time }

// Windows are the spans a restore may target at now: within each period, from its first base backup (but
// not before now minus the retention) to the period's end (or now).
func (a Archive) Windows(now time.Time) []Window {
	cutoff := now.Add(-retention(a.RetentionDays))
	var out []Window
	for _, p := range a.Periods {
		first, ok := a.firstBackupIn(p)
		if !ok {
			continue
		}
		w := Window{From: latest(first, cutoff), To: now}
		if !p.End.IsZero() && p.End.Before(now) {
			w.To = p.End
		}
		if !w.From.After(w.To) {
			out = append(out, w)
		}
	}
	return out
}

func (a Archive) firstBackupIn(p Period) (time.Time, bool) {
	for _, b := range a.Backups {
		if p.contains(b) {
			return b, true
		}
	}
	return time.Time{}, false
}

// EarliestRestoreTime is the start of the first window (false when nothing can be restored).
func (a Archive) EarliestRestoreTime(now time.Time) (time.Time, bool) {
	ws := a.Windows(now)
	if len(ws) == 0 {
		return time.Time{}, false
	}
	return ws[0].From, true
}

// KeepBackups returns, for each base backup, whether retention keeps it at now: every backup completed
// within the retention, and in each period that reaches into the retention the newest backup before it,
// from which the window's first minutes are restored. Everything else has expired.
func (a Archive) KeepBackups(now time.Time) []bool {
	cutoff := now.Add(-retention(a.RetentionDays))
	keep := make([]bool, len(a.Backups))
	for _, p := range a.Periods {
		if !p.End.IsZero() && p.End.Before(cutoff) {
			continue // the whole period has expired
		}
		newestBefore := -1
		for i, b := range a.Backups {
			if !p.contains(b) {
				continue
			}
			if b.Before(cutoff) {
				newestBefore = i
				continue
			}
			keep[i] = true
		}
		if newestBefore >= 0 {
			keep[newestBefore] = true
		}
	}
	return keep
}

// Expired reports whether nothing of the archive can be restored any more and nothing of it is kept: a
// deleted server's archive is then removed.
func (a Archive) Expired(now time.Time) bool {
	return !a.Deleted.IsZero() && !slices.Contains(a.KeepBackups(now), true)
}

// BackupDue reports whether a primary needs a new base backup at now: none yet in its current period, or
// the newest is BackupInterval old.
func (a Archive) BackupDue(now time.Time) bool {
	if len(a.Periods) == 0 || !a.Periods[len(a.Periods)-1].End.IsZero() {
		return false // not a primary now
	}
	current := a.Periods[len(a.Periods)-1]
	var newest time.Time
	for _, b := range a.Backups {
		if current.contains(b) && b.After(newest) {
			newest = b
		}
	}
	return newest.IsZero() || !now.Before(newest.Add(BackupInterval))
}

// ValidateRestoreTarget checks a restore's target time against the source's archive at now (both on the
// cloud's clock): not in the future, not before the earliest restore time, and not in a time the source
// was a read replica (seed 004: no backups are taken from a replica). A target after a deleted server's
// deletion restores it as it was deleted.
func ValidateRestoreTarget(a Archive, target, now time.Time) *FieldError {
	const field = "point_in_time_restore_time_in_utc"
	if target.After(now) {
		return NewFieldError(field, KindRestoreWindow,
			"%s is in the future: the cloud's time is %s; choose a time that has passed", stamp(target), stamp(now))
	}
	ws := a.Windows(now)
	if len(ws) == 0 && a.GeoCopy {
		return NewFieldError(field, KindRestoreWindow,
			"server %s has no backup in its paired region yet: the geo-redundant copy trails its backups by %s of the cloud's "+
				"time; retry once its first full backup has been copied (geo_copied in its backups)", a.Server, GeoCopyDelay)
	}
	if len(ws) == 0 {
		return NewFieldError(field, KindRestoreWindow,
			"server %s has no backup to restore from yet (its first full backup is taken right after it is created, "+
				"or after a read replica is promoted); retry once it has one", a.Server)
	}
	if !a.Deleted.IsZero() && target.After(a.Deleted) {
		target = a.Deleted
	}
	for _, w := range ws {
		if !target.Before(w.From) && !target.After(w.To) {
			return nil
		}
	}
	if target.Before(ws[0].From) {
		return NewFieldError(field, KindRestoreWindow,
			"%s is before the earliest restore time %s of server %s (backup_retention_days %d); choose a later time",
			stamp(target), stamp(ws[0].From), a.Server, a.RetentionDays)
	}
	return NewFieldError(field, KindRestoreWindow,
		"server %s was not a primary with backups at %s (it was a read replica, whose WAL is not archived); "+
			"restorable times are %s", a.Server, stamp(target), windowList(ws))
}

// ValidateRestoreSource checks the source of a restore by its role now: a read replica has no backups to
// restore from (seed 004's table); it may be restored once promoted.
func ValidateRestoreSource(source string, isReplica bool) *FieldError {
	if !isReplica {
		return nil
	}
	return NewFieldError("source_server_id", KindNotReplica,
		"server %s is a read replica, and no backups are taken of a read replica (restore its primary, or promote it first)", source)
}

// ValidateGeoRestore checks a geo-restore: the source must keep geo-redundant backups, and the new server
// is created in the source region's pair, where the copy is.
func ValidateGeoRestore(source, sourceLocation string, sourceGeo bool, location string) *FieldError {
	if !sourceGeo {
		return NewFieldError("source_server_id", KindGeoPair,
			"server %s does not keep geo-redundant backups (geo_redundant_backup_enabled is false); use PointInTimeRestore instead", source)
	}
	pair, _ := PairedRegion(sourceLocation)
	if location != pair {
		return NewFieldError("location", KindGeoPair,
			"must be %s for a geo-restore of server %s: its geo-redundant backups are kept in %s's paired region; got %s",
			pair, source, sourceLocation, quote(location))
	}
	return nil
}

func retention(days int64) time.Duration { return time.Duration(days) * 24 * time.Hour }

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stamp is how the rules quote a time: RFC 3339 with the fraction the time has.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func windowList(ws []Window) string {
	s := ""
	for i, w := range ws {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s to %s", stamp(w.From), stamp(w.To))
	}
	return s
}
