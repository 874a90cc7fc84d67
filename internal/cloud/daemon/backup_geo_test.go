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

// geoRestoreTo geo-restores source to target as a new server called name in location.
func geoRestoreTo(ctx context.Context, c *client.Client, name, source, location string, target time.Time) (*model.Operation, error) {
	return c.PutServer(ctx, name, model.Server{Name: name, Location: location, CreateMode: spec.CreateModeGeoRestore,
		SourceServerID: spec.ServerID(source), PointInTimeRestoreTimeInUTC: target.UTC().Format(time.RFC3339Nano)}, true)
}

// TestGeoRestore: a server with geo-redundant backup keeps a copy of its backups and WAL in its region's
// pair, spec.GeoCopyDelay behind on the cloud's clock. Before the copy has caught up, a geo-restore to a
// recent time is refused; once the clock has moved past the delay, a geo-restore into the pair is exact to
// a commit, and one to the latest time holds everything archived before the copy was taken. A geo-restore
// into the source's own region is refused, as is one of a server without geo-redundant backup.
func TestGeoRestore(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	const name = "it-bk-geo"
	pair, _ := spec.PairedRegion("westeurope")
	src := smallServer(t, c, name, func(s *model.Server) { s.GeoRedundantBackupEnabled = true })
	list := awaitBackups(t, c, name, 1)
	if list.GeoRegion != pair || list.Value[0].GeoCopied {
		t.Fatalf("backups of a geo-redundant server: geo region %q, first backup %+v; want %s, not copied yet", list.GeoRegion, list.Value[0], pair)
	}
	if err := src.Exec(ctx, "create table ledger(id int); insert into ledger values (1)"); err != nil {
		t.Fatal(err)
	}
	t1 := serverNow(t, ctx, src)
	time.Sleep(20 * time.Millisecond)
	if err := src.Exec(ctx, "insert into ledger values (2)"); err != nil {
		t.Fatal(err)
	}
	// The segment holding row 2 reaches the local archive within archive_timeout.
	segment, err := src.QueryString(ctx, "select pg_walfile_name(pg_current_wal_lsn())")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtest.Eventually(ctx, spec.ArchiveTimeout+30*time.Second, func() error {
		if len(archiveListing(t, cloud, name, "^"+segment+"$")) == 0 {
			return fmt.Errorf("segment %s is not archived yet", segment)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	_, err = geoRestoreTo(ctx, c, "it-bk-geo-early", name, pair, t1)
	refusedOn(t, "a geo-restore before the copy caught up", err, "point_in_time_restore_time_in_utc")
	_, err = geoRestoreTo(ctx, c, "it-bk-geo-here", name, "westeurope", t1)
	refusedOn(t, "a geo-restore into the source's own region", err, "location")
	smallServer(t, c, "it-bk-nogeo", nil)
	awaitBackups(t, c, "it-bk-nogeo", 1)
	_, err = geoRestoreTo(ctx, c, "it-bk-nogeo-r", "it-bk-nogeo", pair, time.Now())
	refusedOn(t, "a geo-restore of a server without geo-redundant backup", err, "source_server_id")

	now, err := c.AdvanceClock(ctx, spec.GeoCopyDelay+time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	awaitBackupList(t, c, name, "the first backup copied to the pair", func(l *model.BackupList) bool {
		return len(l.Value) > 0 && l.Value[0].GeoCopied
	})
	check := func(restored string, target time.Time, want string) {
		t.Helper()
		started := time.Now()
		do(geoRestoreTo(ctx, c, restored, name, pair, target))
		t.Logf("geo-restore to %s in %s", target.Format(time.RFC3339Nano), time.Since(started).Round(time.Millisecond))
		srv, err := c.GetServer(ctx, restored)
		if err != nil || srv.Location != pair || srv.CreateMode != spec.CreateModeGeoRestore {
			t.Fatalf("geo-restored server %+v %v", srv, err)
		}
		got, err := serverConn(t, c, restored).QueryString(ctx, "select string_agg(id::text, ',' order by id) from ledger")
		if err != nil || got != want {
			t.Fatalf("geo-restore to %s: rows %q (%v), want %q", target.Format(time.RFC3339Nano), got, err, want)
		}
	}
	check("it-bk-geo-r1", t1, "1")
	// The latest time the copy has: everything archived before the clock moved on.
	check("it-bk-geo-r2", now.Add(-spec.GeoCopyDelay), "1,2")
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var volumes []string
	for _, o := range st.Owned {
		if o.Kind == "volume" {
			volumes = append(volumes, o.Resource)
		}
	}
	if !slices.Contains(volumes, "/cloud/"+st.CloudID+"/backups/"+pair) {
		t.Errorf("no backup storage in %s among the cloud's volumes %v", pair, volumes)
	}
}
