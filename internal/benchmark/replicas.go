package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/ledger"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// putReplica creates a read replica of source with the cloud's defaults and returns its operation as it
// ended.
func (b *bench) putReplica(ctx context.Context, name, source string) (*model.Operation, error) {
	return b.finished(b.c.PutServer(ctx, name, model.Server{Name: name, CreateMode: spec.CreateModeReplica,
		SourceServerID: spec.ServerID(source)}, true))
}

// replicaCreate: PUT a read replica of a small database (pgbench scale 1 loaded) → operation done, which is
// replication_state Active (caught up within 1 GB), by step.
func (b *bench) replicaCreate(ctx context.Context, runs int) error {
	const primary = "bench-rr"
	if err := b.createServer(ctx, primary, haSKU, false); err != nil {
		return err
	}
	if err := b.pgbenchInit(ctx, primary); err != nil {
		return err
	}
	var parts []breakdown
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("bench-rr-%d", i)
		start := time.Now()
		op, err := b.putReplica(ctx, name, primary)
		if err != nil {
			return err
		}
		bd := breakdown{"create_to_active": time.Since(start)}
		bd.addSteps("create_step_", op)
		parts = append(parts, bd)
		if err := b.done(b.c.DeleteServer(ctx, name)); err != nil {
			return err
		}
	}
	reportMedians("replica_", parts)
	report("replica_create_to_active_goal", 3, "s")
	return b.done(b.c.DeleteServer(ctx, primary))
}

// replicaLag: pgbench on a primary with one replica, sampling both lag metrics every 200 ms: the steady
// state a user watches.
func (b *bench) replicaLag(ctx context.Context, _ int) error {
	const primary, replica = "bench-lag", "bench-lag-r"
	if err := b.createServer(ctx, primary, haSKU, false); err != nil {
		return err
	}
	if err := b.pgbenchInit(ctx, primary); err != nil {
		return err
	}
	if _, err := b.putReplica(ctx, replica, primary); err != nil {
		return err
	}
	var bytes []float64
	var secs []float64
	sampleCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			if m, err := b.c.GetServerMetrics(sampleCtx, primary); err == nil && m.MaxPhysicalReplicationLagBytes != nil {
				bytes = append(bytes, float64(*m.MaxPhysicalReplicationLagBytes))
			}
			if m, err := b.c.GetServerMetrics(sampleCtx, replica); err == nil && m.ReadReplicaLagSeconds != nil {
				secs = append(secs, *m.ReadReplicaLagSeconds)
			}
			select {
			case <-sampleCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	tps, err := b.pgbenchRun(ctx, primary)
	stop()
	<-done
	if err != nil {
		return err
	}
	if len(bytes) == 0 || len(secs) == 0 {
		return fmt.Errorf("no lag samples during pgbench (%d bytes, %d seconds)", len(bytes), len(secs))
	}
	slices.Sort(bytes)
	slices.Sort(secs)
	report("replica_pgbench_tps_primary", tps, "tps")
	report("replica_lag_bytes_p50", bytes[len(bytes)/2], "bytes")
	report("replica_lag_bytes_max", bytes[len(bytes)-1], "bytes")
	report("replica_lag_seconds_p50", secs[len(secs)/2], "s")
	report("replica_lag_seconds_max", secs[len(secs)-1], "s")
	if err := b.done(b.c.DeleteServer(ctx, replica)); err != nil {
		return err
	}
	return b.done(b.c.DeleteServer(ctx, primary))
}

// replicaPromote: 8 writers with a ledger through a virtual endpoint's writer while the replica is promoted
// to primary server (planned): the write gap, and what was lost (nothing, for a planned promotion).
func (b *bench) replicaPromote(ctx context.Context, _ int) error {
	const primary, replica, ve = "bench-pp", "bench-pp-r", "bench-pp-ve"
	if err := b.createServer(ctx, primary, haSKU, false); err != nil {
		return err
	}
	if _, err := b.putReplica(ctx, replica, primary); err != nil {
		return err
	}
	if err := b.done(b.c.PutVirtualEndpoint(ctx, primary, model.VirtualEndpoint{Name: ve, ReplicaServerID: spec.ServerID(replica)})); err != nil {
		return err
	}
	ep, err := b.c.GetVirtualEndpoint(ctx, primary, ve)
	if err != nil {
		return err
	}
	dsn := fmt.Sprintf("host=127.0.0.1 port=%d user=pgadmin password=%s dbname=postgres sslmode=verify-full sslrootcert=%s",
		ep.WriterPort, password, b.caFile)
	l, err := ledger.Run(ctx, ledger.Config{DSN: dsn, Writers: 8, Rate: 200})
	if err != nil {
		return err
	}
	if err := awaitAck(ctx, l, 0); err != nil {
		return err
	}
	rep, err := b.c.GetServer(ctx, replica)
	if err != nil {
		return err
	}
	rep.ReplicationRole, rep.PromoteOption = spec.ReplicationRolePrimary, spec.PromoteOptionPlanned
	fault := l.MarkFault("promote")
	op, err := b.finished(b.c.PutServer(ctx, replica, *rep, false))
	if err != nil {
		return err
	}
	if err := awaitAck(ctx, l, l.Clock().Now()); err != nil {
		return err
	}
	if err := stopLedger(ctx, l); err != nil {
		return err
	}
	if _, err := l.Resolve(ctx, dsn); err != nil {
		return err
	}
	r, err := l.Check(ctx, dsn)
	if err != nil {
		return err
	}
	if len(r.Gaps) != 1 {
		return fmt.Errorf("promotion at %s: %d write gaps", fault.At, len(r.Gaps))
	}
	report("replica_promote_primary_operation", op.FinishedAt.Sub(op.StartedAt).Seconds(), "s")
	report("replica_promote_primary_write_gap", seconds(r.Gaps[0].Duration()), "s")
	report("replica_promote_primary_write_gap_goal", 2, "s")
	report("replica_promote_primary_lost", float64(len(r.Lost)), "rows")
	report("replica_promote_primary_phantom", float64(len(r.Phantom)), "rows")
	bd := breakdown{}
	bd.addSteps("promote_step_", op)
	reportMedians("replica_", []breakdown{bd})
	if err := b.done(b.c.DeleteVirtualEndpoint(ctx, primary, ve)); err != nil {
		return err
	}
	for _, name := range []string{primary, replica} { // the old primary is the replica now
		if err := b.done(b.c.DeleteServer(ctx, name)); err != nil {
			return err
		}
	}
	return nil
}

// pgbenchInit loads pgbench's tables (scale 1, about 16 MB) into a server.
func (b *bench) pgbenchInit(ctx context.Context, name string) error {
	_, err := b.pgbenchExec(ctx, name, "-i", "-q", "-s", "1")
	return err
}

// pgbenchRun runs the bounded load (4 clients, 10 s) and returns its tps.
func (b *bench) pgbenchRun(ctx context.Context, name string) (float64, error) {
	out, err := b.pgbenchExec(ctx, name, "-c", "4", "-j", "2", "-T", "10")
	if err != nil {
		return 0, err
	}
	return parseTPS(out)
}

func (b *bench) pgbenchExec(ctx context.Context, name string, args ...string) (string, error) {
	srv, err := b.c.GetServer(ctx, name)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "pgbench", append(args, b.hostDSN(srv))...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("pgbench %v: %w\n%s", args, err, out)
	}
	return string(out), nil
}
