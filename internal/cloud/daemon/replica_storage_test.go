package daemon_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// TestReplicaSlotKeepsWALAndTheGuardCountsIt (seed 004, "replication slot issues"): a replica that does not
// receive WAL keeps it on its primary through its slot, and the storage guard counts it: the primary turns
// read-only (25006) although it holds almost no data, and is writable again once the replica has caught up
// and the WAL is recycled. While the replica streams, the same WAL churn leaves the primary writable.
// Storage is scaled down (32768 MB → 128 MiB) and max_wal_size is the smallest allowed, so recycling
// keeps the WAL small without a lagging slot.
func TestReplicaSlotKeepsWALAndTheGuardCountsIt(t *testing.T) {
	needDocker(t)
	ctx := context.Background()
	cloud, c := startScaledCloud(t, 256)
	do := waiter(t, c)
	primary := gpServer(t, c, "it-wal-primary")
	for _, p := range []string{"max_wal_size", "min_wal_size"} {
		do(c.PutConfiguration(ctx, "it-wal-primary", p, "32"))
	}
	do(putReplica(ctx, c, "it-wal-replica", "it-wal-primary"))
	ins, err := cloud.Controller().Instances("it-wal-replica")
	if err != nil {
		t.Fatal(err)
	}
	replicaContainer := ins[0].Container
	if err := primary.Exec(ctx, "create table churn(n int)"); err != nil {
		t.Fatal(err)
	}
	// One round: a write, a new WAL segment, a checkpoint (which recycles what nothing needs), and the
	// storage guard's look.
	pins, err := cloud.Controller().Instances("it-wal-primary")
	if err != nil {
		t.Fatal(err)
	}
	walMB := func() string {
		return superuser(t, pins[0].Container, "select (sum(size) / 1048576)::int from pg_ls_waldir()")
	}
	round := func() error {
		if err := primary.Exec(ctx, "insert into churn values (1)"); err != nil {
			return err
		}
		superuser(t, pins[0].Container, "select pg_switch_wal()")
		superuser(t, pins[0].Container, "checkpoint")
		_, err := c.AdvanceClock(ctx, time.Second)
		return err
	}

	for i := 0; i < 10; i++ {
		if err := round(); err != nil {
			t.Fatalf("round %d with the replica streaming: %v", i, err)
		}
	}
	t.Logf("replica streaming: 10 rounds, the primary stays writable, WAL %s MB", walMB())

	superuser(t, replicaContainer, "alter system set primary_conninfo = ''")
	superuser(t, replicaContainer, "select pg_reload_conf()")
	var refused error
	rounds := 0
	for ; rounds < 20 && refused == nil; rounds++ {
		refused = round()
	}
	if pgCode(refused) != "25006" {
		t.Fatalf("the replica's slot kept WAL for %d rounds and the primary still takes writes (WAL %s MB): %v", rounds, walMB(), refused)
	}
	t.Logf("replica not receiving: read-only after %d rounds, WAL %s MB", rounds, walMB())

	superuser(t, replicaContainer, "alter system reset primary_conninfo")
	superuser(t, replicaContainer, "select pg_reload_conf()")
	took, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		superuser(t, pins[0].Container, "checkpoint")
		if _, err := c.AdvanceClock(ctx, time.Second); err != nil {
			return err
		}
		if err := primary.Exec(ctx, "insert into churn values (2)"); err != nil {
			return fmt.Errorf("still refused (WAL %s MB): %w", walMB(), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("writable again %s after the replica streamed again, WAL %s MB", took.Round(time.Millisecond), walMB())
}
