package daemon_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestRestoreAndReplicaRoles is seed 004's backup table on Docker: no restore from a read replica; a
// switchover makes the former primary a replica, and a restore of it to a time inside that stretch is
// refused (its WAL was not archived then) while times before it and after it swapped back restore
// exactly; the promoted replica's own backups start at its promotion, before which it can't be restored.
func TestRestoreAndReplicaRoles(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	a := gpServer(t, c, "it-bk-ra")
	awaitBackups(t, c, "it-bk-ra", 1)
	if err := a.Exec(ctx, "create table ledger(id int); insert into ledger values (1)"); err != nil {
		t.Fatal(err)
	}
	do(putReplica(ctx, c, "it-bk-rb", "it-bk-ra"))
	_, err := restoreTo(ctx, c, "it-bk-r0", "it-bk-rb", time.Now(), nil)
	refusedOn(t, "a restore from a read replica", err, "source_server_id")

	// A planned switchover needs a virtual endpoint whose reader targets the replica.
	do(c.PutVirtualEndpoint(ctx, "it-bk-ra", model.VirtualEndpoint{Name: "it-bk-ve", ReplicaServerID: spec.ServerID("it-bk-rb")}))
	beforeSwap := serverNow(t, ctx, a)
	promote(t, cloud, c, "it-bk-rb", spec.ReplicationRolePrimary, spec.PromoteOptionPlanned)
	awaitBackups(t, c, "it-bk-rb", 1) // the promoted server's first full backup, right after the promotion
	b := serverConn(t, c, "it-bk-rb")
	if err := b.Exec(ctx, "insert into ledger values (2)"); err != nil {
		t.Fatal(err)
	}
	duringSwap := serverNow(t, ctx, b)
	_, err = restoreTo(ctx, c, "it-bk-r1", "it-bk-ra", time.Now(), nil)
	refusedOn(t, "a restore of the former primary while it is a replica", err, "source_server_id")
	_, err = restoreTo(ctx, c, "it-bk-r1", "it-bk-rb", beforeSwap, nil)
	refusedOn(t, "a restore of the promoted server to before its promotion", err, "point_in_time_restore_time_in_utc")

	// Swap back (it-bk-rb a replica again, as DESIGN has it): it-bk-ra is the primary again, with a new period of backups.
	back, err := c.GetServer(ctx, "it-bk-rb")
	if err != nil {
		t.Fatal(err)
	}
	back.ReplicationRole, back.PromoteOption = spec.ReplicationRoleAsyncReplica, spec.PromoteOptionPlanned
	do(c.PutServer(ctx, "it-bk-rb", *back, false))
	awaitBackupList(t, c, "it-bk-ra", "a backup of the second period", func(l *model.BackupList) bool { return len(l.Value) >= 2 })
	if err := a.Exec(ctx, "insert into ledger values (3)"); err != nil {
		t.Fatal(err)
	}
	_, err = restoreTo(ctx, c, "it-bk-r2", "it-bk-ra", duringSwap, nil)
	refusedOn(t, "a restore of it-bk-ra to a time it was a replica", err, "point_in_time_restore_time_in_utc")
	if !strings.Contains(err.Error(), "read replica") {
		t.Errorf("the refusal does not say why: %v", err)
	}
	for _, r := range []struct {
		name   string
		target time.Time
		want   string
	}{
		{"it-bk-r3", beforeSwap, "1"},
		{"it-bk-r4", serverNow(t, ctx, a), "1,2,3"},
	} {
		do(restoreTo(ctx, c, r.name, "it-bk-ra", r.target, nil))
		got, err := serverConn(t, c, r.name).QueryString(ctx, "select string_agg(id::text, ',' order by id) from ledger")
		if err != nil || got != r.want {
			t.Fatalf("restore of it-bk-ra to %s: rows %q (%v), want %q", r.target.Format(time.RFC3339Nano), got, err, r.want)
		}
		do(c.DeleteServer(ctx, r.name))
	}
}
