package daemon_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const day = 24 * time.Hour

// backupNames are the names of the full backups a list holds, oldest first.
func backupNames(l *model.BackupList) []string {
	var out []string
	for _, b := range l.Value {
		out = append(out, b.Name)
	}
	return out
}

// awaitBackupList waits until the server's backup list satisfies ok, and returns it.
func awaitBackupList(t *testing.T, c *client.Client, name, what string, ok func(*model.BackupList) bool) *model.BackupList {
	t.Helper()
	var list *model.BackupList
	if _, err := cloudtest.Eventually(context.Background(), 90*time.Second, func() error {
		var err error
		if list, err = c.ListBackups(context.Background(), name); err == nil && !ok(list) {
			err = fmt.Errorf("backups %v, earliest %s: want %s", backupNames(list), list.EarliestRestoreTime, what)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return list
}

// earliestIs reports whether the list's earliest restore time is at.
func earliestIs(l *model.BackupList, at time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, l.EarliestRestoreTime)
	return err == nil && t.Equal(at)
}

// TestBackupRetentionOnTheCloudClock runs a live server's backups on the cloud's clock: a full backup a
// day, retention pruning the backups and the WAL it no longer needs once the clock passes
// backup_retention_days (keeping the newest backup before the cutoff, from which the window's first
// minutes restore), earliest_restore_time moving with it, a restore before it refused and one after it
// still exact; then backup_retention_days raised in place, after which the same clock advance keeps what
// the shorter retention would have pruned.
func TestBackupRetentionOnTheCloudClock(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	const name = "it-bk-keep"
	admin := smallServer(t, c, name, nil)
	first := awaitBackups(t, c, name, 1).Value[0]
	if err := admin.Exec(ctx, "create table ledger(id int); insert into ledger values (1)"); err != nil {
		t.Fatal(err)
	}
	advance := func(d time.Duration) {
		t.Helper()
		if _, err := c.AdvanceClock(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	cloudNow := func() time.Time {
		t.Helper()
		now, err := c.Clock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return now
	}

	advance(day)
	two := awaitBackupList(t, c, name, "a second, daily backup", func(l *model.BackupList) bool { return len(l.Value) == 2 })
	second := two.Value[1]
	if !second.CompletedTime.After(first.CompletedTime.Add(day)) || !earliestIs(two, first.CompletedTime) {
		t.Fatalf("after a day: backups %+v, earliest %s; want a second one a day later and the first's completion as the earliest", two.Value, two.EarliestRestoreTime)
	}
	firstWAL := walOf(t, cloud, name, first.Name)
	if err := admin.Exec(ctx, "insert into ledger values (2)"); err != nil {
		t.Fatal(err)
	}

	advance(spec.MinBackupRetentionDays*day + time.Hour)
	pruned := awaitBackupList(t, c, name, "the first backup pruned", func(l *model.BackupList) bool {
		return len(l.Value) == 2 && l.Value[0].Name == second.Name
	})
	earliest, err := time.Parse(time.RFC3339Nano, pruned.EarliestRestoreTime)
	// The cutoff moves with the clock: within a minute of the test's reading of it (an hour from the kept
	// backup's own time).
	if cutoff := cloudNow().Add(-spec.MinBackupRetentionDays * day); err != nil || earliest.Sub(cutoff).Abs() > time.Minute {
		t.Fatalf("earliest restore time %q (%v) after the first backup expired, want the retention cutoff %s", pruned.EarliestRestoreTime, err, cutoff)
	}
	if wal := archiveListing(t, cloud, name, "^"+firstWAL+"$"); len(wal) != 0 {
		t.Errorf("the WAL %s of the pruned backup is still archived", firstWAL)
	}
	if base := archiveBase(t, cloud, name); slices.Contains(base, first.Name) || !slices.Contains(base, second.Name) {
		t.Errorf("base backups in the archive after pruning: %v, want %s gone and %s kept", base, first.Name, second.Name)
	}
	_, err = restoreTo(ctx, c, "it-bk-keep-early", name, earliest.Add(-time.Second), nil)
	refusedOn(t, "a target before the moved earliest restore time", err, "point_in_time_restore_time_in_utc")
	do(restoreTo(ctx, c, "it-bk-keep-r", name, cloudNow().Add(-time.Second), nil))
	if got, err := serverConn(t, c, "it-bk-keep-r").QueryString(ctx, "select string_agg(id::text, ',' order by id) from ledger"); err != nil || got != "1,2" {
		t.Fatalf("restore from the kept backup: %q %v, want 1,2", got, err)
	}
	do(c.DeleteServer(ctx, "it-bk-keep-r"))

	t.Run("retention raised in place", func(t *testing.T) {
		before := containerOf(t, cloud, name)
		s, err := c.GetServer(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		s.BackupRetentionDays = 14
		op, err := c.PutServer(ctx, name, *s, false)
		do(op, err)
		if op.Kind == "server.create" || containerOf(t, cloud, name) != before {
			t.Fatalf("raising backup_retention_days ran %s and changed the container: not in place", op.Kind)
		}
		if got, _ := c.GetServer(ctx, name); got.BackupRetentionDays != 14 {
			t.Fatalf("backup_retention_days reads %d after the update", got.BackupRetentionDays)
		}
		// The longer retention reaches back to the second backup again (the first is gone for good).
		awaitBackupList(t, c, name, "the earliest time back at the second backup", func(l *model.BackupList) bool {
			return earliestIs(l, second.CompletedTime)
		})
		advance(spec.MinBackupRetentionDays * day)
		kept := awaitBackupList(t, c, name, "a third backup", func(l *model.BackupList) bool { return len(l.Value) == 3 })
		if kept.Value[0].Name != second.Name {
			t.Fatalf("backups %v after another week with 14 days' retention, want %s kept", backupNames(kept), second.Name)
		}
	})
}

// TestBackupsDoNotCountAgainstStorage: with storage scaled down so that storage_mb is 256 MB of real
// disk, daily full backups pile up in the backup storage until they hold more than that, and the storage
// guard, which makes a server read-only at 95% of its storage (measuring its databases and pg_wal), leaves
// it writable: backups live beside the data, as the service's backup storage does, not in it.
func TestBackupsDoNotCountAgainstStorage(t *testing.T) {
	needDocker(t)
	const divisor = 128
	_, c := startScaledCloud(t, divisor)
	ctx := context.Background()
	const name = "it-bk-size"
	admin := smallServer(t, c, name, nil)
	srv, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	scale := spec.DefaultScale
	scale.StorageDivisor = divisor
	capacity := spec.StorageCapacityBytes(srv.StorageMB, scale)
	var list *model.BackupList
	var total int64
	for n := 1; total <= capacity; n++ {
		if n > 12 {
			t.Fatalf("%d full backups hold %d bytes, still not more than the server's %d", n-1, total, capacity)
		}
		if n > 1 {
			if _, err := c.AdvanceClock(ctx, day); err != nil { // a day: the next full backup is due
				t.Fatal(err)
			}
		}
		list = awaitBackups(t, c, name, n)
		total = 0
		for _, b := range list.Value {
			total += b.SizeBytes
		}
	}
	// The guard runs with the housekeeping, which an advance of the clock runs at once.
	if _, err := c.AdvanceClock(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	if v, err := admin.QueryString(ctx, "show default_transaction_read_only"); err != nil || v != "off" {
		t.Fatalf("default_transaction_read_only = %q (%v) with %d bytes of backups", v, err, total)
	}
	if err := admin.Exec(ctx, "create table still_writable(n int)"); err != nil {
		t.Fatalf("write with %d bytes of backups: %v", total, err)
	}
	t.Logf("%d bytes in %d full backups beside a server whose storage is %d bytes; still writable", total, len(list.Value), capacity)
}
