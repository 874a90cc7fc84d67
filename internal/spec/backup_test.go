package spec

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func day(n float64) time.Time { return t0.Add(time.Duration(n * float64(24*time.Hour))) }

func TestArchiveWindowsAndEarliestRestoreTime(t *testing.T) {
	open := Archive{Server: "s", RetentionDays: 7, Periods: []Period{{Start: day(0)}},
		Backups: []time.Time{day(0.01), day(1.01), day(2.01), day(3.01), day(4.01), day(5.01), day(6.01), day(7.01), day(8.01), day(9.01)}}
	cases := []struct {
		name     string
		a        Archive
		now      time.Time
		earliest time.Time
		ok       bool
	}{
		{"right after the first backup", open, day(0.02), day(0.01), true},
		{"before the first backup completes", Archive{Periods: []Period{{Start: day(0)}}, RetentionDays: 7}, day(0.005), time.Time{}, false},
		{"retention bounds the window", open, day(9.5), day(2.5), true},
		{"a longer retention reaches the first backup", func() Archive { a := open; a.RetentionDays = 35; return a }(), day(9.5), day(0.01), true},
		{"a replica period starts a new window with its first backup",
			Archive{RetentionDays: 7, Periods: []Period{{Start: day(0), End: day(1)}, {Start: day(2)}},
				Backups: []time.Time{day(0.01), day(2.01)}}, day(3), day(0.01), true},
		{"an expired first period", Archive{RetentionDays: 7, Periods: []Period{{Start: day(0), End: day(1)}, {Start: day(2)}},
			Backups: []time.Time{day(0.01), day(2.01)}}, day(8.5), day(2.01), true},
		{"deleted and expired", Archive{RetentionDays: 7, Periods: []Period{{Start: day(0), End: day(1)}}, Deleted: day(1),
			Backups: []time.Time{day(0.01)}}, day(8.5), time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := c.a.EarliestRestoreTime(c.now)
		if ok != c.ok || !got.Equal(c.earliest) {
			t.Errorf("%s: EarliestRestoreTime = %v, %v; want %v, %v", c.name, got, ok, c.earliest, c.ok)
		}
	}
}

func TestArchiveKeepBackups(t *testing.T) {
	a := Archive{RetentionDays: 7, Periods: []Period{{Start: day(0)}},
		Backups: []time.Time{day(0.01), day(1.01), day(2.01), day(3.01), day(9.01)}}
	// At day 9.5 the window starts at day 2.5: the backup of day 2.01 restores its first hours; the older two
	// have expired.
	if got, want := a.KeepBackups(day(9.5)), []bool{false, false, true, true, true}; !slices.Equal(got, want) {
		t.Errorf("KeepBackups = %v, want %v", got, want)
	}
	// A retention change applies at once: 35 days keeps everything.
	a.RetentionDays = 35
	if got := a.KeepBackups(day(9.5)); slices.Contains(got, false) {
		t.Errorf("KeepBackups with 35 days = %v, want all kept", got)
	}
	deleted := Archive{RetentionDays: 7, Periods: []Period{{Start: day(0), End: day(3)}}, Deleted: day(3),
		Backups: []time.Time{day(0.01), day(1.01), day(2.01)}}
	if got, want := deleted.KeepBackups(day(9.5)), []bool{false, false, true}; !slices.Equal(got, want) {
		t.Errorf("deleted KeepBackups = %v, want %v", got, want)
	}
	if deleted.Expired(day(9.5)) {
		t.Error("a deleted server's archive expired while its last day is inside the retention")
	}
	if !deleted.Expired(day(10.5)) {
		t.Error("a deleted server's archive did not expire after the retention passed its deletion")
	}
	if a.Expired(day(400)) {
		t.Error("the archive of a server that exists expired")
	}
}

func TestArchiveBackupDue(t *testing.T) {
	a := Archive{RetentionDays: 7, Periods: []Period{{Start: day(0)}}}
	if !a.BackupDue(day(0)) {
		t.Error("no backup yet: want one due at once")
	}
	a.Backups = []time.Time{day(0.01)}
	if a.BackupDue(day(1)) {
		t.Error("a backup is due before BackupInterval passed")
	}
	if !a.BackupDue(day(1.01)) {
		t.Error("no backup due once BackupInterval passed")
	}
	replica := Archive{Periods: []Period{{Start: day(0), End: day(0.5)}}, Backups: []time.Time{day(0.01)}}
	if replica.BackupDue(day(3)) {
		t.Error("a backup is due on a server that is a read replica now")
	}
	promoted := Archive{Periods: []Period{{Start: day(0), End: day(0.5)}, {Start: day(0.6)}}, Backups: []time.Time{day(0.01)}}
	if !promoted.BackupDue(day(0.61)) {
		t.Error("a promoted server needs a backup of its new period at once")
	}
}

func TestValidateRestoreTarget(t *testing.T) {
	a := Archive{Server: "src", RetentionDays: 7, Periods: []Period{{Start: day(0), End: day(1)}, {Start: day(2)}},
		Backups: []time.Time{day(0.01), day(2.01)}}
	now := day(3)
	cases := []struct {
		name   string
		a      Archive
		target time.Time
		want   string // substring of the message; "" = accepted
	}{
		{"inside the first period", a, day(0.5), ""},
		{"exactly at the earliest", a, day(0.01), ""},
		{"exactly now", a, now, ""},
		{"in the future", a, now.Add(time.Millisecond), "is in the future"},
		{"before the earliest", a, day(0.005), "before the earliest restore time"},
		{"while a replica", a, day(1.5), "was not a primary"},
		{"after the promotion, before its first backup", a, day(2.005), "was not a primary"},
		{"no backups", Archive{Server: "src", RetentionDays: 7, Periods: []Period{{Start: day(0)}}}, day(0.5), "no backup to restore from"},
		{"no backups copied to the pair yet", Archive{Server: "src", RetentionDays: 7, Periods: []Period{{Start: day(0)}}, GeoCopy: true}, day(0.5), "no backup in its paired region yet"},
		{"after a deletion", Archive{Server: "src", RetentionDays: 7, Periods: []Period{{Start: day(0), End: day(1)}},
			Backups: []time.Time{day(0.01)}, Deleted: day(1)}, day(2), ""},
	}
	for _, c := range cases {
		e := ValidateRestoreTarget(c.a, c.target, now)
		switch {
		case c.want == "" && e != nil:
			t.Errorf("%s: refused: %v", c.name, e)
		case c.want != "" && e == nil:
			t.Errorf("%s: accepted, want %q", c.name, c.want)
		case c.want != "" && (!strings.Contains(e.Error(), c.want) || e.Rule != Rule("point_in_time_restore_time_in_utc", KindRestoreWindow)):
			t.Errorf("%s: %v (rule %s), want %q", c.name, e, e.Rule, c.want)
		}
	}
}

func TestRestoreSourceAndGeoRules(t *testing.T) {
	if e := ValidateRestoreSource("r", true); e == nil || e.Rule != Rule("source_server_id", KindNotReplica) {
		t.Errorf("restore from a replica: %v", e)
	}
	if e := ValidateRestoreSource("p", false); e != nil {
		t.Errorf("restore from a primary: %v", e)
	}
	if p, ok := PairedRegion("northeurope"); !ok || p != "westeurope" {
		t.Errorf("PairedRegion(northeurope) = %q, %v", p, ok)
	}
	for r, p := range regionPairs {
		if _, ok := LookupRegion(r); !ok {
			t.Errorf("pair table names %s, not a catalog region", r)
		}
		if _, ok := LookupRegion(p); !ok {
			t.Errorf("pair table names %s, not a catalog region", p)
		}
	}
	if e := ValidateGeoRedundantBackup("norwayeast", true); e == nil || e.Rule != Rule("geo_redundant_backup_enabled", KindGeoPair) {
		t.Errorf("geo in a region without a pair: %v", e)
	}
	if e := ValidateGeoRedundantBackup("eastus", true); e != nil {
		t.Errorf("geo in eastus: %v", e)
	}
	if e := ValidateGeoRestore("s", "eastus", false, "westus"); e == nil || e.Field != "source_server_id" {
		t.Errorf("geo-restore of a server without geo backups: %v", e)
	}
	if e := ValidateGeoRestore("s", "eastus", true, "eastus"); e == nil || e.Field != "location" {
		t.Errorf("geo-restore into the source's own region: %v", e)
	}
	if e := ValidateGeoRestore("s", "eastus", true, "westus"); e != nil {
		t.Errorf("geo-restore into the pair: %v", e)
	}
}

func TestRestoreCreateModeRules(t *testing.T) {
	base := ServerConfig{Name: "restored", Location: "eastus", CreateMode: CreateModePointInTimeRestore,
		SourceServerID: "/flexibleServers/src", PointInTimeRestoreTime: "2026-12-01T10:00:00.123456Z"}
	if errs := ValidateServer(base); len(errs) != 0 {
		t.Errorf("a restore without sku_name and admin: %v", errs)
	}
	geo := base
	geo.CreateMode = CreateModeGeoRestore
	if errs := ValidateServer(geo); len(errs) != 0 {
		t.Errorf("a geo-restore: %v", errs)
	}
	cases := []struct {
		name string
		edit func(*ServerConfig)
		rule RuleID
	}{
		{"no source", func(c *ServerConfig) { c.SourceServerID = "" }, Rule("source_server_id", KindRequired)},
		{"no time", func(c *ServerConfig) { c.PointInTimeRestoreTime = "" }, Rule("point_in_time_restore_time_in_utc", KindRequired)},
		{"bad time", func(c *ServerConfig) { c.PointInTimeRestoreTime = "2026-12-01 10:00" }, Rule("point_in_time_restore_time_in_utc", KindFormat)},
		{"with HA", func(c *ServerConfig) {
			c.SKUName = "GP_Standard_D2s_v3"
			c.HA = &HighAvailability{Mode: HAModeSameZone}
		},
			Rule("high_availability.mode", KindRestoreStandalone)},
		{"geo in a region without a pair", func(c *ServerConfig) { c.Location = "norwayeast"; c.GeoRedundantBackupEnabled = true },
			Rule("geo_redundant_backup_enabled", KindGeoPair)},
	}
	for _, c := range cases {
		cfg := base
		c.edit(&cfg)
		errs := ValidateServerCreate(cfg)
		if !slices.ContainsFunc(errs, func(e *FieldError) bool { return e.Rule == c.rule }) {
			t.Errorf("%s: errors %v, want rule %s", c.name, errs, c.rule)
		}
	}
	// The restored server gets HA in place afterwards: as the desired state of an update (its create mode
	// still the restore's), HA is no error.
	withHA := base
	withHA.SKUName, withHA.HA = "GP_Standard_D2s_v3", &HighAvailability{Mode: HAModeSameZone}
	if errs := ValidateServer(withHA); len(errs) != 0 {
		t.Errorf("HA on a restored server, in place: %v", errs)
	}
	if _, e := ParseRestoreTime("2026-12-01T10:00:00.5+01:00"); e != nil {
		t.Errorf("fractional time with an offset: %v", e)
	}
}
