package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/ledger"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// haSKU is the SKU of every HA figure: high availability needs General Purpose or better, and the pgbench
// ratio compares servers of the same SKU.
const haSKU = "GP_Standard_D2s_v3"

// haConfig says how many times each fault runs under the ledger, and with how many writers.
type haConfig struct {
	kills, pauses, isolations, planned, writers int
}

// awaitHealthy waits until the server is Ready, its ha_state is Healthy and no operation runs on it: the end
// of an HA create, and the state every fault round starts from.
func (b *bench) awaitHealthy(ctx context.Context, name string) error {
	_, err := cloudtest.Eventually(ctx, 2*time.Minute, func() error {
		srv, err := b.c.GetServer(ctx, name)
		if err != nil {
			return err
		}
		if srv.HAState != spec.HAStateHealthy || srv.State != "Ready" {
			return fmt.Errorf("ha_state %s, state %s", srv.HAState, srv.State)
		}
		ops, err := b.c.ListOperations(ctx, model.OperationRunning)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if op.ResourceID == srv.ID {
				return fmt.Errorf("%s still running", op.Kind)
			}
		}
		return nil
	})
	return err
}

// hostDSN is the libpq connection string of the server's host endpoint as its admin, verified against the
// cloud CA. The password is left out: pgbench takes it from PGPASSWORD, off its command line.
func (b *bench) hostDSN(srv *model.Server) string {
	return fmt.Sprintf("host=%s port=%d user=pgadmin dbname=postgres sslmode=verify-full sslrootcert=%s",
		srv.Host, srv.Port, b.caFile)
}

// haCreate: PUT a server with a zone-redundant standby → operation done and ha_state Healthy, by step.
func (b *bench) haCreate(ctx context.Context, runs int) error {
	var parts []breakdown
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("bench-ha-create-%d", i)
		bd, err := b.createServerTimed(ctx, name, haSKU, true)
		if err != nil {
			return err
		}
		parts = append(parts, bd)
		if err := b.done(b.c.DeleteServer(ctx, name)); err != nil {
			return err
		}
	}
	reportMedians("ha_", parts)
	report("ha_create_to_healthy_goal", 6, "s")
	return nil
}

var pgbenchTPS = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// pgbench runs a short bounded TPC-B-like load (scale 1, 4 clients, 10 s) through the server's host
// endpoint and returns the transactions per second it reports.
func (b *bench) pgbench(ctx context.Context, name string) (float64, error) {
	if err := b.pgbenchInit(ctx, name); err != nil {
		return 0, err
	}
	return b.pgbenchRun(ctx, name)
}

// parseTPS reads the transactions per second from pgbench's output.
func parseTPS(out string) (float64, error) {
	m := pgbenchTPS.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps in the output of pgbench:\n%s", out)
	}
	return strconv.ParseFloat(m[1], 64)
}

// pgbenchHA compares pgbench on a server without HA and one with a synchronous standby, of the same SKU,
// one after the other so that they do not share the machine's two cores.
func (b *bench) pgbenchHA(ctx context.Context, _ int) error {
	tps := map[bool]float64{}
	for _, ha := range []bool{false, true} {
		name := "bench-pgbench"
		if ha {
			name += "-ha"
		}
		if err := b.createServer(ctx, name, haSKU, ha); err != nil {
			return err
		}
		t, err := b.pgbench(ctx, name)
		if err != nil {
			return err
		}
		tps[ha] = t
		if err := b.done(b.c.DeleteServer(ctx, name)); err != nil {
			return err
		}
	}
	report("pgbench_tps_without_ha", tps[false], "tps")
	report("pgbench_tps_with_ha", tps[true], "tps")
	report("pgbench_tps_ha_vs_without", tps[true]/tps[false], "x")
	report("pgbench_tps_ha_vs_without_goal", 0.75, "x")
	return nil
}

// haFault is one kind of fault: how it is injected, and the operation that moves the primary in answer.
type haFault struct {
	name    string
	rounds  int
	p95Goal float64 // seconds
	inject  func(ctx context.Context, at time.Time) (*model.Operation, error)
}

// haFaults runs writers with a ledger through the host endpoint of one HA server while its primary is
// killed, paused, isolated and failed over on demand, and reports per kind the client-observed write gaps,
// the commits lost or appearing from nowhere, and where the failover's time went; over all of them, the
// time from the fault until the pair is Healthy again.
func (b *bench) haFaults(ctx context.Context, cfg haConfig) error {
	name := "bench-ha"
	if err := b.createServer(ctx, name, haSKU, true); err != nil {
		return err
	}
	srv, err := b.c.GetServer(ctx, name)
	if err != nil {
		return err
	}
	fault := func(action string) func(context.Context, time.Time) (*model.Operation, error) {
		return func(ctx context.Context, at time.Time) (*model.Operation, error) {
			if _, err := b.c.InjectFault(ctx, model.Fault{Action: action, Server: name}); err != nil {
				return nil, err
			}
			return b.reaction(ctx, srv.ID, at)
		}
	}
	faults := []haFault{
		{"kill", cfg.kills, 2, fault(model.FaultKill)},
		{"pause", cfg.pauses, 6, fault(model.FaultPause)},
		{"isolate", cfg.isolations, 6, fault(model.FaultIsolate)},
		{"planned", cfg.planned, 2, func(ctx context.Context, _ time.Time) (*model.Operation, error) {
			return b.finished(b.c.FailoverServer(ctx, name, model.FailoverPlanned))
		}},
	}
	dsn := b.hostDSN(srv) + " password=" + password
	var back []time.Duration
	for _, f := range faults {
		if f.rounds < 1 {
			continue
		}
		d, err := b.faultRounds(ctx, name, dsn, f, cfg.writers)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		back = append(back, d...)
	}
	if len(back) > 0 {
		s := ledger.Percentiles(back)
		report("ha_back_to_healthy_p50", seconds(s.P50), "s")
		report("ha_back_to_healthy_max", seconds(s.Max), "s")
		report("ha_back_to_healthy_goal", 30, "s")
	}
	return b.done(b.c.DeleteServer(ctx, name))
}

// reaction waits for the operation the cloud starts on the server after the fault at instant at (the
// round began with none running, so the first is the answer) and returns it once it has ended.
func (b *bench) reaction(ctx context.Context, serverID string, at time.Time) (*model.Operation, error) {
	var op *model.Operation
	_, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		ops, err := b.c.ListOperations(ctx, "")
		if err != nil {
			return err
		}
		for i := range ops {
			if ops[i].ResourceID == serverID && !ops[i].StartedAt.Before(at) {
				op = &ops[i]
				return nil
			}
		}
		return errors.New("the cloud has not reacted to the fault")
	})
	return b.finished(op, err)
}

// faultRounds runs one ledger through f.rounds faults of one kind and reports them; it returns, per round,
// the time from the fault until the server was Healthy with no operation running.
func (b *bench) faultRounds(ctx context.Context, name, dsn string, f haFault, writers int) ([]time.Duration, error) {
	l, err := ledger.Run(ctx, ledger.Config{DSN: dsn, Writers: writers})
	if err != nil {
		return nil, err
	}
	defer func() { _ = stopLedger(ctx, l) }() // on an early return; stopping twice is harmless
	if err := awaitAck(ctx, l, 0); err != nil {
		return nil, err
	}
	var back []time.Duration
	var parts []breakdown
	for i := 0; i < f.rounds; i++ {
		l.MarkFault(f.name)
		at := time.Now()
		op, err := f.inject(ctx, at)
		if err != nil {
			return nil, err
		}
		if err := b.awaitHealthy(ctx, name); err != nil {
			return nil, err
		}
		back = append(back, time.Since(at))
		kind := strings.TrimPrefix(op.Kind, "server.")
		bd := breakdown{"fault_to_operation": op.StartedAt.Sub(at), kind + "_operation": op.FinishedAt.Sub(op.StartedAt)}
		bd.addSteps(kind+"_step_", op)
		for _, s := range op.Steps {
			if s.Name == "repoint" && s.FinishedAt != nil {
				// From here the endpoint leads to the new primary: the rest of the gap is the clients' way back.
				bd.add("fault_to_repointed", s.FinishedAt.Sub(at))
			}
		}
		parts = append(parts, bd)
		// The next fault's gap must start from a service that writes again, not from this one's tail.
		if err := awaitAck(ctx, l, l.Clock().Now()); err != nil {
			return nil, err
		}
	}
	if err := stopLedger(ctx, l); err != nil {
		return nil, err
	}
	if _, err := l.Resolve(ctx, dsn); err != nil {
		return nil, err
	}
	r, err := l.Check(ctx, dsn)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "%s, %d rounds:\n%s\n", f.name, f.rounds, r.Summary())
	p := "ha_" + f.name + "_"
	report(p+"write_gap_p50", seconds(r.GapStats.P50), "s")
	report(p+"write_gap_p95", seconds(r.GapStats.P95), "s")
	report(p+"write_gap_max", seconds(r.GapStats.Max), "s")
	report(p+"write_gap_p95_goal", f.p95Goal, "s")
	report(p+"lost", float64(len(r.Lost)), "rows")
	report(p+"phantom", float64(len(r.Phantom)), "rows")
	reportMedians(p, parts)
	return back, nil
}

// stopLedger stops the writers, giving the attempts in flight a minute to end.
func stopLedger(ctx context.Context, l *ledger.Ledger) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return l.Stop(ctx)
}

// awaitAck waits until a commit ending after since (on the ledger's clock) is acknowledged.
func awaitAck(ctx context.Context, l *ledger.Ledger, since time.Duration) error {
	_, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		a := l.Attempts()
		for i := len(a) - 1; i >= 0 && a[i].End > since; i-- {
			if a[i].Outcome == ledger.Acked {
				return nil
			}
		}
		return errors.New("no commit acknowledged yet")
	})
	return err
}
