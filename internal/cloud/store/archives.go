package store

import (
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// bucketArchives holds the backups of servers by archive ID. An archive belongs to one server's life: it is
// made when the server is created and outlives its deletion until retention ends, so a deleted server can
// still be restored (and a new server of the same name gets an archive of its own).
const bucketArchives = "archives"

func init() { allBuckets = append(allBuckets, bucketArchives) }

// Archive is the durable record of one server's backups in its region's backup storage.
type Archive struct {
	ID     string `json:"id"` // the archive's directory in the backup storage
	Server string `json:"server"`
	Region string `json:"region"`
	// Version is the server's PostgreSQL major version: the storage's jobs run in its image.
	Version string `json:"version,omitempty"`
	// GeoRegion is the pair that keeps a copy (geo_redundant_backup_enabled), "" without one.
	GeoRegion     string        `json:"geo_region,omitempty"`
	RetentionDays int64         `json:"retention_days"`
	Periods       []spec.Period `json:"periods,omitempty"`
	Backups       []FullBackup  `json:"backups,omitempty"`
	// Deleted is when the server was deleted; Spec is its configuration then, which a restore of the deleted
	// server starts from.
	Deleted *time.Time    `json:"deleted,omitempty"`
	Spec    *model.Server `json:"spec,omitempty"`
	// GeoThrough is the cloud time up to which the pair has everything (the last geo copy's horizon).
	GeoThrough time.Time `json:"geo_through,omitempty"`
}

// FullBackup is one full backup of an archive. Completed is zero while it is being taken.
type FullBackup struct {
	Name      string    `json:"name"`
	Started   time.Time `json:"started"`
	Completed time.Time `json:"completed,omitempty"`
	StartWAL  string    `json:"start_wal,omitempty"`
	Timeline  int       `json:"timeline,omitempty"`
	SizeBytes int64     `json:"size_bytes,omitempty"`
	GeoCopied bool      `json:"geo_copied,omitempty"`
}

// Rules is the archive as the spec's backup rules see it: completed backups only (geo: only those copied to
// the pair, and nothing after the pair's horizon).
func (a Archive) Rules(geo bool) spec.Archive {
	r := spec.Archive{Server: a.Server, RetentionDays: a.RetentionDays, Periods: a.Periods, GeoCopy: geo}
	if a.Deleted != nil {
		r.Deleted = *a.Deleted
	}
	for _, b := range a.Backups {
		if b.Completed.IsZero() || geo && !b.GeoCopied {
			continue
		}
		r.Backups = append(r.Backups, b.Completed)
	}
	if geo {
		r.Periods = clipPeriods(a.Periods, a.GeoThrough)
	}
	return r
}

// clipPeriods ends every period at through at the latest, and drops those that start after it.
func clipPeriods(ps []Period, through time.Time) []Period {
	var out []Period
	for _, p := range ps {
		if p.Start.After(through) {
			continue
		}
		if p.End.IsZero() || p.End.After(through) {
			p.End = through
		}
		out = append(out, p)
	}
	return out
}

// Period is spec's: a stretch of time a server was a primary.
type Period = spec.Period

// IsPrimaryNow reports whether the archive's last period is open: the server archives now.
func (a Archive) IsPrimaryNow() bool {
	return len(a.Periods) > 0 && a.Periods[len(a.Periods)-1].End.IsZero()
}

// OpenPeriod starts a period at t unless one is open.
func (a *Archive) OpenPeriod(t time.Time) {
	if !a.IsPrimaryNow() {
		a.Periods = append(a.Periods, Period{Start: t})
	}
}

// ClosePeriod ends the open period at t, if there is one.
func (a *Archive) ClosePeriod(t time.Time) {
	if a.IsPrimaryNow() {
		a.Periods[len(a.Periods)-1].End = t
	}
}

// Backup returns the full backup called name.
func (a *Archive) Backup(name string) (*FullBackup, bool) {
	for i := range a.Backups {
		if a.Backups[i].Name == name {
			return &a.Backups[i], true
		}
	}
	return nil, false
}

// Completed are the completed backups, oldest first.
func (a Archive) Completed() []FullBackup {
	var out []FullBackup
	for _, b := range a.Backups {
		if !b.Completed.IsZero() {
			out = append(out, b)
		}
	}
	return out
}

func (t *Tx) GetArchive(id string) (Archive, error) {
	var a Archive
	return a, t.get(bucketArchives, id, &a)
}
func (t *Tx) PutArchive(a Archive) error    { return t.put(bucketArchives, a.ID, a) }
func (t *Tx) DeleteArchive(id string) error { return t.del(bucketArchives, id) }
func (t *Tx) ListArchives() ([]Archive, error) {
	return list[Archive](t, bucketArchives, "")
}

// UpdateArchive applies fn to the archive id and stores it.
func (t *Tx) UpdateArchive(id string, fn func(*Archive) error) error {
	a, err := t.GetArchive(id)
	if err != nil {
		return err
	}
	if err := fn(&a); err != nil {
		return err
	}
	return t.PutArchive(a)
}

// DeletedArchive returns the archive of the most recently deleted server called name.
func (t *Tx) DeletedArchive(name string) (Archive, error) {
	all, err := t.ListArchives()
	if err != nil {
		return Archive{}, err
	}
	var found *Archive
	for i, a := range all {
		if a.Server == name && a.Deleted != nil && (found == nil || a.Deleted.After(*found.Deleted)) {
			found = &all[i]
		}
	}
	if found == nil {
		return Archive{}, ErrNotFound
	}
	return *found, nil
}

// Restore is how a restored server is made: from the full backup Backup of the archive Archive (of server
// Source), replaying its WAL up to Target on the cloud's clock, which is WallTarget on the machine's (the
// time PostgreSQL compares commit timestamps with). ToEnd replays the whole archive instead: the target lies
// past the archive's last commit. Done is set once the server has opened on a timeline of its own.
type Restore struct {
	Source     string    `json:"source"`
	Archive    string    `json:"archive"`
	Geo        bool      `json:"geo,omitempty"`
	Backup     string    `json:"backup,omitempty"`
	Target     time.Time `json:"target"`
	WallTarget time.Time `json:"wall_target"`
	ToEnd      bool      `json:"to_end,omitempty"`
	Done       bool      `json:"done,omitempty"`
}
