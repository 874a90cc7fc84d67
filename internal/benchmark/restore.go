package main

import (
	"context"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// restoreGoal is issue 9's goal for a point-in-time restore of a small database, PUT to first query.
const restoreGoal = 5 * time.Second

// pointInTimeRestore: a server with a small database (pgbench scale 1, loaded after its first full
// backup, so the restore replays it from the archive) restored to the moment of the request, PUT → the
// operation done → the first verify-full query on the restored server (it has its source's firewall rules
// and admin), by step; each restore is checked to hold the whole database.
func (b *bench) pointInTimeRestore(ctx context.Context, runs int) error {
	const source = "bench-pitr"
	if err := b.createServer(ctx, source, "B_Standard_B1ms", false); err != nil {
		return err
	}
	if _, err := cloudtest.Eventually(ctx, 2*time.Minute, func() error {
		l, err := b.c.ListBackups(ctx, source)
		if err == nil && len(l.Value) == 0 {
			err = fmt.Errorf("no full backup of %s yet", source)
		}
		return err
	}); err != nil {
		return err
	}
	if err := b.pgbenchInit(ctx, source); err != nil {
		return err
	}
	var parts []breakdown
	var totals []time.Duration
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("bench-pitr-%d", i)
		start := time.Now()
		op, err := b.finished(b.c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope",
			CreateMode: spec.CreateModePointInTimeRestore, SourceServerID: spec.ServerID(source),
			PointInTimeRestoreTimeInUTC: start.UTC().Format(time.RFC3339Nano)}, true))
		if err != nil {
			return err
		}
		bd := breakdown{"operation": op.FinishedAt.Sub(op.StartedAt)}
		bd.addSteps("step_", op)
		if err := b.firstQuery(ctx, name); err != nil {
			return err
		}
		bd.add("to_first_query", time.Since(start))
		totals = append(totals, bd["to_first_query"])
		if err := b.holdsPgbench(ctx, name); err != nil {
			return err
		}
		parts = append(parts, bd)
		if err := b.done(b.c.DeleteServer(ctx, name)); err != nil {
			return err
		}
	}
	reportMedians("restore_", parts)
	report("restore_to_first_query_goal", restoreGoal.Seconds(), "s")
	if b.floorMedian > 0 {
		report("restore_vs_floor", median(totals).Seconds()/b.floorMedian.Seconds(), "x")
	}
	return b.done(b.c.DeleteServer(ctx, source))
}

// holdsPgbench checks that a restored server has all of pgbench's accounts at scale 1.
func (b *bench) holdsPgbench(ctx context.Context, name string) error {
	srv, err := b.c.GetServer(ctx, name)
	if err != nil {
		return err
	}
	conn := cloudtest.Conn{Server: srv, User: "pgadmin", Password: password, CAPEM: b.ca}
	n, err := conn.QueryString(ctx, "select count(*)::text from pgbench_accounts")
	if err != nil || n != "100000" {
		return fmt.Errorf("restored server %s holds %q pgbench accounts (%v), want 100000", name, n, err)
	}
	return nil
}
