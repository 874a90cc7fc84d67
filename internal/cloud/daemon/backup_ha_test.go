package daemon_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// TestRestoreAcrossFailovers is BAR-P2 and BAR-P5 on a server with HA: rows written on three timelines
// (two planned failovers) are all in a restore to a time after the second failover, the archive holds one
// .history file per promotion (the standby archives too, so it goes on across failovers), and the restored
// server opens on a timeline above the source's. The restored server archives into its own archive: the
// source's never gets its timeline, and the source's next failover and a restore of it after that know
// nothing of the restored server's writes.
func TestRestoreAcrossFailovers(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	const name = "it-bk-ha"
	admin := haServer(t, c, name)
	awaitHA(t, c, name)
	awaitBackups(t, c, name, 1)
	run := func(conn cloudtest.Conn, sql string) {
		t.Helper()
		if err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	failover := func() {
		t.Helper()
		do(c.FailoverServer(ctx, name, "planned"))
		awaitHA(t, c, name)
	}
	run(admin, "create table ledger(id int, tl text default substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)); insert into ledger(id) values (1)")
	failover()
	run(admin, "insert into ledger(id) values (2)")
	failover()
	run(admin, "insert into ledger(id) values (3)")
	target := serverNow(t, ctx, admin)
	time.Sleep(20 * time.Millisecond)
	run(admin, "insert into ledger(id) values (4)")
	if tl := timeline(t, ctx, admin); tl != "00000003" {
		t.Fatalf("source on timeline %s after two failovers, want 00000003", tl)
	}
	var histories []string
	if _, err := cloudtest.Eventually(ctx, 30*time.Second, func() error {
		histories = archiveListing(t, cloud, name, `\.history$`)
		if len(histories) != 2 {
			return fmt.Errorf("archive history files %v, want one per promotion (2)", histories)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	do(restoreTo(ctx, c, "it-bk-ha-r", name, target, nil))
	restored := serverConn(t, c, "it-bk-ha-r")
	got, err := restored.QueryString(ctx, "select string_agg(id || '@' || tl, ',' order by id) from ledger")
	if want := "1@00000001,2@00000002,3@00000003"; err != nil || got != want {
		t.Fatalf("restore after two failovers: %q (%v), want %q", got, err, want)
	}
	if tl := timeline(t, ctx, restored); tl != "00000004" {
		t.Fatalf("restored server on timeline %s, want 00000004 (a timeline of its own)", tl)
	}
	run(restored, "insert into ledger(id) values (1000)")
	t.Run("the source's archive never gets the restored server's timeline", func(t *testing.T) {
		if h := archiveListing(t, cloud, name, `^00000004`); len(h) != 0 {
			t.Fatalf("the source's archive holds %v after the restore", h)
		}
		failover() // the source's own timeline 4
		run(admin, "insert into ledger(id) values (5)")
		if tl := timeline(t, ctx, admin); tl != "00000004" {
			t.Fatalf("source on timeline %s after its third failover, want 00000004", tl)
		}
		do(restoreTo(ctx, c, "it-bk-ha-r2", name, serverNow(t, ctx, admin), nil))
		got, err := serverConn(t, c, "it-bk-ha-r2").QueryString(ctx, "select string_agg(id::text, ',' order by id) from ledger")
		if want := "1,2,3,4,5"; err != nil || got != want {
			t.Fatalf("restore of the source after its third failover: %q (%v), want %q (none of the restored server's rows)", got, err, want)
		}
	})
}
