package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// smallServer creates a public Burstable server without HA that the test's address may reach.
func smallServer(t *testing.T, c *client.Client, name string, edit func(*model.Server)) cloudtest.Conn {
	t.Helper()
	ctx := context.Background()
	do := waiter(t, c)
	s := model.Server{Name: name, Location: "westeurope", Zone: "1", Version: "15",
		SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin", AdministratorPassword: canary}
	if edit != nil {
		edit(&s)
	}
	do(c.PutServer(ctx, name, s, true))
	do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
	return serverConn(t, c, name)
}

// awaitBackups waits until the server has at least n completed full backups and returns the list.
func awaitBackups(t *testing.T, c *client.Client, name string, n int) *model.BackupList {
	t.Helper()
	var list *model.BackupList
	if _, err := cloudtest.Eventually(context.Background(), 90*time.Second, func() error {
		var err error
		list, err = c.ListBackups(context.Background(), name)
		if err == nil && len(list.Value) < n {
			err = fmt.Errorf("%d full backups, want %d", len(list.Value), n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return list
}

// restoreTo restores source to target as a new server called name.
func restoreTo(ctx context.Context, c *client.Client, name, source string, target time.Time, edit func(*model.Server)) (*model.Operation, error) {
	s := model.Server{Name: name, Location: "westeurope", CreateMode: spec.CreateModePointInTimeRestore,
		SourceServerID: spec.ServerID(source), PointInTimeRestoreTimeInUTC: target.UTC().Format(time.RFC3339Nano)}
	if edit != nil {
		edit(&s)
	}
	return c.PutServer(ctx, name, s, true)
}

// serverNow is the server's own clock: the time commit timestamps are taken from.
func serverNow(t *testing.T, ctx context.Context, conn cloudtest.Conn) time.Time {
	t.Helper()
	v, err := conn.QueryString(ctx, "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestPointInTimeRestoreExact is BAR-P1: commit rows 1..21, one at a time, and after each commit k (but
// the last) take the server's time T_k placed 1 ms to 1 s from a commit boundary (just after commit k, or
// just before commit k+1). Restoring to T_k gives exactly rows 1..k: nothing committed after T_k, nothing
// committed before it missing. The restored server is a standalone server with the source's SKU, version
// and admin, on a timeline of its own.
func TestPointInTimeRestoreExact(t *testing.T) {
	needDocker(t)
	_, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	src := smallServer(t, c, "it-pitr-src", nil)
	first := awaitBackups(t, c, "it-pitr-src", 1)
	t.Logf("first full backup %s completed %s (%d bytes, timeline %d); earliest restore time %s",
		first.Value[0].Name, first.Value[0].CompletedTime, first.Value[0].SizeBytes, first.Value[0].Timeline, first.EarliestRestoreTime)
	if first.EarliestRestoreTime == "" {
		t.Fatal("no earliest_restore_time after the first backup")
	}
	if err := src.Exec(ctx, "create table ledger(id int primary key, at timestamptz default clock_timestamp())"); err != nil {
		t.Fatal(err)
	}
	gaps := []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
		30 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 3 * time.Millisecond}
	const targets = 20
	marks := make([]time.Time, targets+1)
	for k := 1; k <= targets+1; k++ {
		if err := src.Exec(ctx, fmt.Sprintf("insert into ledger(id) values (%d)", k)); err != nil {
			t.Fatal(err)
		}
		if k > targets {
			break
		}
		gap := gaps[k%len(gaps)]
		before, after := gap, 20*time.Millisecond // just after commit k ...
		if k%2 == 0 {
			before, after = 20*time.Millisecond, gap // ... or just before commit k+1
		}
		time.Sleep(before)
		marks[k] = serverNow(t, ctx, src)
		time.Sleep(after)
	}
	for k := 1; k <= targets; k++ {
		name := fmt.Sprintf("it-pitr-r%d", k)
		start := time.Now()
		do(restoreTo(ctx, c, name, "it-pitr-src", marks[k], nil))
		took := time.Since(start)
		restored := serverConn(t, c, name)
		got, err := restored.QueryString(ctx, "select count(*)::text || ' ' || coalesce(max(id), 0)::text from ledger")
		if err != nil {
			t.Fatalf("target %d: %v", k, err)
		}
		if want := fmt.Sprintf("%d %d", k, k); got != want {
			t.Fatalf("restore to T_%d = %s: rows (count max) %s, want %s", k, marks[k].Format(time.RFC3339Nano), got, want)
		}
		if k == 1 {
			checkRestoredServer(t, ctx, c, name, restored)
		}
		t.Logf("T_%d %s: %s rows, restored in %s", k, marks[k].Format("15:04:05.000000"), got, took)
		do(c.DeleteServer(ctx, name))
	}
}

// checkRestoredServer checks what a restore takes from its source and what it is on its own.
func checkRestoredServer(t *testing.T, ctx context.Context, c *client.Client, name string, conn cloudtest.Conn) {
	t.Helper()
	s, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if s.SKUName != "B_Standard_B1ms" || s.Version != "15" || s.AdministratorLogin != "pgadmin" || s.StorageMB != spec.DefaultStorageMB ||
		s.HAState != spec.HAStateNotEnabled || s.State != "Ready" {
		t.Fatalf("restored server reads back %+v", s)
	}
	if ro, err := conn.QueryString(ctx, "select pg_is_in_recovery()::text"); err != nil || ro != "false" {
		t.Fatalf("restored server in recovery: %s %v", ro, err)
	}
	if err := conn.Exec(ctx, "insert into ledger(id) values (1000)"); err != nil {
		t.Fatalf("write on the restored server: %v", err)
	}
}

// refusedOn checks that err is a 400 naming field, and returns its message.
func refusedOn(t *testing.T, what string, err error, field string) {
	t.Helper()
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Field != field {
		t.Fatalf("%s: %v; want a 400 on %s", what, err, field)
	}
	t.Logf("%s refused: %s", what, apiErr.Message)
}

// TestRestoreWindowStoppedAndDeletedSources is BAR-P4 and the service's restore of a stopped and of a
// deleted server: targets in the future, before the earliest restore time, or in another region are
// refused before anything is created; a stopped source restores exactly (to a time before the stop, and
// to a time after it, which holds everything); a deleted source restores within its retention, and once
// the cloud's clock passes its retention its backups are gone and the restore is refused.
func TestRestoreWindowStoppedAndDeletedSources(t *testing.T) {
	needDocker(t)
	_, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	src := smallServer(t, c, "it-bk-src", nil)
	list := awaitBackups(t, c, "it-bk-src", 1)
	earliest, err := time.Parse(time.RFC3339Nano, list.EarliestRestoreTime)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("refusals", func(t *testing.T) {
		_, err := restoreTo(ctx, c, "it-bk-r", "it-bk-src", time.Now().Add(time.Hour), nil)
		refusedOn(t, "a target an hour ahead", err, "point_in_time_restore_time_in_utc")
		_, err = restoreTo(ctx, c, "it-bk-r", "it-bk-src", earliest.Add(-time.Millisecond), nil)
		refusedOn(t, "a target before the earliest restore time", err, "point_in_time_restore_time_in_utc")
		_, err = restoreTo(ctx, c, "it-bk-r", "it-bk-src", earliest, func(s *model.Server) { s.Location = "northeurope" })
		refusedOn(t, "a point-in-time restore into another region", err, "location")
		_, err = restoreTo(ctx, c, "it-bk-r", "it-bk-missing", earliest, nil)
		refusedOn(t, "a source that never existed", err, "source_server_id")
		if _, err := c.GetServer(ctx, "it-bk-r"); !errors.Is(err, client.ErrNotFound) {
			t.Fatalf("a refused restore left a server: %v", err)
		}
	})
	if err := src.Exec(ctx, "create table ledger(id int); insert into ledger values (1)"); err != nil {
		t.Fatal(err)
	}
	t1 := serverNow(t, ctx, src)
	time.Sleep(20 * time.Millisecond)
	if err := src.Exec(ctx, "insert into ledger values (2)"); err != nil {
		t.Fatal(err)
	}
	do(c.StopServer(ctx, "it-bk-src"))
	// A deleted source's firewall rules went with it: the restored server gets the test's own.
	check := func(t *testing.T, name string, target time.Time, want string) {
		t.Helper()
		do := waiter(t, c)
		do(restoreTo(ctx, c, name, "it-bk-src", target, nil))
		do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
		got, err := serverConn(t, c, name).QueryString(ctx, "select string_agg(id::text, ',' order by id) from ledger")
		if err != nil || got != want {
			t.Fatalf("restore of %s to %s: rows %q (%v), want %q", name, target.Format(time.RFC3339Nano), got, err, want)
		}
		do(c.DeleteServer(ctx, name))
	}
	t.Run("stopped source", func(t *testing.T) {
		check(t, "it-bk-stopped1", t1, "1")
		check(t, "it-bk-stopped2", time.Now(), "1,2") // after the stop: everything it committed
	})
	do(c.DeleteServer(ctx, "it-bk-src"))
	t.Run("deleted source within its retention", func(t *testing.T) {
		check(t, "it-bk-deleted", t1, "1")
	})
	t.Run("deleted source after its retention", func(t *testing.T) {
		if _, err := c.AdvanceClock(ctx, (spec.DefaultBackupRetentionDays+1)*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		_, err := restoreTo(ctx, c, "it-bk-late", "it-bk-src", time.Now(), nil)
		refusedOn(t, "a deleted server past its retention", err, "source_server_id")
	})
}
