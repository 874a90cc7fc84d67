package ledger_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/jackc/pgx/v5"

	"github.com/flexpg/terraform-provider-flexpg/internal/ledger"
)

// The server these tests run: the cloud's PostgreSQL image, started directly instead of through the cloud.
const (
	testImage = "flexpg/postgres:15"
	// testLabelDefault is the value of io.flexpg.test outside `make test` (which sets FLEXPG_TEST_RUN, so its
	// leak check covers this test too); `make sweep` finds a container a crashed run left either way.
	testLabelDefault = "ledger"
)

// serverScript runs as the image's postgres user (FLEXPG_MODE=exec makes the entrypoint exec it as is): a
// test-only cluster with trust authentication, made once in the container's own filesystem so that it
// survives a kill and restart. fsync and synchronous_commit are spelled out because the crash test relies
// on them.
const serverScript = `set -eu
D=/var/tmp/ledger-data
if [ ! -f "$D/PG_VERSION" ]; then
	initdb -D "$D" -U postgres --auth=trust -E UTF8 >/dev/null
	echo "host all all all trust" >> "$D/pg_hba.conf"
fi
exec postgres -D "$D" -c listen_addresses='*' -c fsync=on -c synchronous_commit=on`

// TestDocker runs the ledger against one real PostgreSQL: the sampler's overlap detection, a cancelled
// synchronous-replication wait, and crashes of the whole container, under load and with every commit
// waiting for synchronous replication.
func TestDocker(t *testing.T) {
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("set FLEXPG_DOCKER=1 to run the Docker integration test")
	}
	pg := startServer(t)
	t.Run("SamplerFlagsTwoWriters", pg.testSamplerFlagsTwoWriters)
	t.Run("CancelledSyncWaitIsAckedAndFlagged", pg.testCancelledSyncWait)
	// The last two kill the server.
	t.Run("CrashLosesNoAck", pg.testCrashLosesNoAck)
	t.Run("KillDuringSyncWait", pg.testKillDuringSyncWait)
}

type server struct {
	cli *client.Client
	id  string
	dsn string
}

// startServer starts the container with its port published on a fixed loopback port, so that the DSN
// stays valid across a restart (a container's bridge address may change when it starts again).
func startServer(t *testing.T) *server {
	t.Helper()
	ctx := context.Background()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	if _, err := cli.ImageInspect(ctx, testImage); err != nil {
		t.Fatalf("image %s: %v (build it first: make images)", testImage, err)
	}
	port := freePort(t)
	created, err := cli.ContainerCreate(ctx,
		&container.Config{
			Image:        testImage,
			Env:          []string{"FLEXPG_MODE=exec"},
			Cmd:          []string{"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "sh", "-c", serverScript},
			Labels:       map[string]string{"io.flexpg.test": testLabel()},
			ExposedPorts: nat.PortSet{"5432/tcp": {}},
		},
		&container.HostConfig{PortBindings: nat.PortMap{"5432/tcp": {{HostIP: "127.0.0.1", HostPort: strconv.Itoa(port)}}}},
		nil, nil, "")
	if err != nil {
		t.Fatalf("create container: %v", err)
	}
	s := &server{cli: cli, id: created.ID,
		dsn: fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", port)}
	t.Cleanup(func() {
		err := cli.ContainerRemove(context.Background(), s.id, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("remove container: %v", err)
		}
	})
	s.start(t)
	return s
}

// freePort asks the kernel for a loopback port nobody holds. Another process could take it before Docker
// binds it; the create then fails loudly rather than testing the wrong server.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start starts the container and waits until PostgreSQL accepts a session.
func (s *server) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.cli.ContainerStart(ctx, s.id, container.StartOptions{}); err != nil {
		t.Fatalf("start container: %v", err)
	}
	for {
		conn, err := s.connect(ctx)
		if err == nil {
			conn.Close(ctx)
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("PostgreSQL not ready: %v", err)
		case <-time.After(100 * time.Millisecond): // poll step, bounded by ctx
		}
	}
}

// kill sends SIGKILL to the container, PostgreSQL and all, and waits until it is down.
func (s *server) kill(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exited, errc := s.cli.ContainerWait(ctx, s.id, container.WaitConditionNotRunning)
	if err := s.cli.ContainerKill(ctx, s.id, "SIGKILL"); err != nil {
		t.Fatalf("kill container: %v", err)
	}
	select {
	case <-exited:
	case err := <-errc:
		t.Fatalf("wait for the container to stop: %v", err)
	}
}

func (s *server) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(s.dsn)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = 2 * time.Second
	return pgx.ConnectConfig(ctx, cfg)
}

func (s *server) admin(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := s.connect(context.Background())
	if err != nil {
		t.Fatalf("admin session: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// testSamplerFlagsTwoWriters points the sampler at one server under two names: both "instances" accept
// every probe, which is what two writable primaries look like, so the check must fire.
func (s *server) testSamplerFlagsTwoWriters(t *testing.T) {
	ctx := context.Background()
	sampler, err := ledger.StartSampler(ctx, ledger.SamplerConfig{
		Instances:  map[string]string{"a": s.dsn, "b": s.dsn},
		ProbeWrite: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	sampler.Stop()
	t.Log(sampler.Summary())
	if len(sampler.TwoWriters()) == 0 || len(sampler.TwoPrimaries()) == 0 {
		t.Errorf("one server sampled under two names was not flagged as two writers and two primaries")
	}
	acked := 0
	for _, smp := range sampler.Samples() {
		if smp.Write == ledger.WriteAcked {
			acked++
		}
	}
	if acked < 10 { // 2 instances x ~10 rounds in 1s; allow a slow machine half of them
		t.Errorf("only %d acked probes in 1s at 100ms rounds", acked)
	}
}

// testCancelledSyncWait makes every commit wait for a synchronous standby that does not exist, cancels the
// waits from another session, and checks that the writers count those commits as acked and flag them.
func (s *server) testCancelledSyncWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := s.admin(t)
	// Run first: it creates the table, and that commit would wait for the ghost standby too.
	l, err := ledger.Run(ctx, ledger.Config{DSN: s.dsn, Writers: 2, Rate: 20, AttemptTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	setSyncStandbys(t, s, "ghost")
	t.Cleanup(func() { setSyncStandbys(t, s, "") })
	const wantCancelled = 3
	deadline := time.Now().Add(20 * time.Second)
	for cancelledAcks(l) < wantCancelled && time.Now().Before(deadline) {
		_, err := admin.Exec(ctx, `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event = 'SyncRep'`, ledger.WriterApplicationName)
		if err != nil {
			t.Fatalf("cancel waiting commits: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // poll step, bounded by deadline
	}
	setSyncStandbys(t, s, "")
	if err := l.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	report, err := l.Check(ctx, s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report.Summary())
	if report.AckedCancelled < wantCancelled {
		t.Errorf("%d acked commits flagged as sync-cancelled, want at least %d", report.AckedCancelled, wantCancelled)
	}
	if !report.OK() {
		t.Error("without a failover a sync-cancelled commit is still local and must be found")
	}
}

func cancelledAcks(l *ledger.Ledger) int {
	n := 0
	for _, a := range l.Attempts() {
		if a.Outcome == ledger.Acked && a.SyncCancelled {
			n++
		}
	}
	return n
}

// setSyncStandbys sets synchronous_standby_names and waits until new sessions see it: a reload only
// signals the postmaster. ALTER SYSTEM writes a file and assigns no transaction ID, so it does not wait for
// the standbys itself.
func setSyncStandbys(t *testing.T, s *server, names string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := s.connect(ctx)
	if err != nil {
		t.Fatalf("admin session: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `ALTER SYSTEM SET synchronous_standby_names = `+quoteLiteral(names)); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_reload_conf()`); err != nil {
		t.Fatal(err)
	}
	for {
		var got string
		conn, err := s.connect(ctx)
		if err == nil {
			err = conn.QueryRow(ctx, `SHOW synchronous_standby_names`).Scan(&got)
			conn.Close(ctx)
		}
		if err == nil && got == names {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("synchronous_standby_names = %q not in effect: %v", names, ctx.Err())
		case <-time.After(50 * time.Millisecond): // poll step, bounded by ctx
		}
	}
}

// waitingCommits counts the writers' sessions waiting for synchronous replication.
func waitingCommits(ctx context.Context, conn *pgx.Conn) (int, error) {
	var n int
	err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'SyncRep'`,
		ledger.WriterApplicationName).Scan(&n)
	return n, err
}

// quoteLiteral quotes a test constant as an SQL string literal (ALTER SYSTEM takes no parameters).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// testCrashLosesNoAck runs 16 writers, SIGKILLs the whole container mid-run, starts it again, and checks
// that crash recovery kept every acknowledged commit and nothing else.
func (s *server) testCrashLosesNoAck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := ledger.Run(ctx, ledger.Config{DSN: s.dsn, Writers: 16, Rate: 250})
	if err != nil {
		t.Fatal(err)
	}
	sampler, err := ledger.StartSampler(ctx, ledger.SamplerConfig{
		Instances: map[string]string{"pg": s.dsn}, ProbeWrite: true, Clock: l.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	report, resolved, f := s.crashDrill(ctx, t, l, "docker kill", nil)
	sampler.Stop()
	t.Log(sampler.Summary())

	if resolved.Unresolved != 0 {
		t.Errorf("%d unknown outcomes left unresolved", resolved.Unresolved)
	}
	if len(report.Gaps) != 1 || !report.Gaps[0].Recovered {
		t.Errorf("gaps = %v, want one recovered gap", report.Gaps)
	}
	before, after := 0, 0
	for _, a := range l.Attempts() {
		switch {
		case a.Outcome != ledger.Acked:
		case a.End <= f.At:
			before++
		default:
			after++
		}
	}
	t.Logf("before the kill: %d acked in %s (%.0f/s)", before, f.At.Round(time.Millisecond), float64(before)/f.At.Seconds())
	if before == 0 || after == 0 {
		t.Errorf("acked %d commits before the kill and %d after; want some of each", before, after)
	}
	if o := sampler.TwoWriters(); len(o) != 0 {
		t.Errorf("one instance cannot be two writers, got %v", o[0])
	}
}

// testKillDuringSyncWait holds every writer in COMMIT, waiting for a synchronous standby that does not
// exist, and kills the container then: all those outcomes are unknown to the clients, yet each commit
// record was flushed before the wait began, so crash recovery keeps them and Resolve must say committed.
func (s *server) testKillDuringSyncWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const writers = 4
	l, err := ledger.Run(ctx, ledger.Config{DSN: s.dsn, Writers: writers, Rate: 50, AttemptTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	setSyncStandbys(t, s, "ghost")
	admin := s.admin(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := waitingCommits(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if n == writers {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writers waiting for synchronous replication after 10s", n, writers)
		}
		time.Sleep(50 * time.Millisecond) // poll step, bounded by deadline
	}
	// The setting lives in postgresql.auto.conf and survives the restart: clear it once the server is up.
	report, resolved, _ := s.crashDrill(ctx, t, l, "docker kill during sync wait", func() { setSyncStandbys(t, s, "") })
	if report.Unknown < writers || report.UnknownCommitted < writers {
		t.Errorf("%d unknown outcomes, %d of them committed; want at least %d of each", report.Unknown, report.UnknownCommitted, writers)
	}
	if resolved.Committed != report.UnknownCommitted || len(report.Contradicted) != 0 {
		t.Errorf("pg_xact_status resolved %d committed, the rows say %d (%d contradictions)",
			resolved.Committed, report.UnknownCommitted, len(report.Contradicted))
	}
}

// crashDrill kills the server under the running ledger, starts it again (then runs afterStart, if any),
// lets the writers commit for a while, stops them, resolves and checks. It fails the test on any lost,
// phantom or duplicate row.
func (s *server) crashDrill(ctx context.Context, t *testing.T, l *ledger.Ledger, name string, afterStart func()) (ledger.Report, ledger.ResolvedCounts, ledger.Fault) {
	t.Helper()
	f := l.MarkFault(name)
	s.kill(t)
	s.start(t)
	if afterStart != nil {
		afterStart()
	}
	waitForAckAfter(t, l, f.At, time.Minute)
	time.Sleep(1500 * time.Millisecond)
	if err := l.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	resolved, err := l.Resolve(ctx, s.dsn)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	report, err := l.Check(ctx, s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report.Summary())
	if !report.OK() {
		t.Errorf("crash recovery with fsync on broke the ledger: %d lost, %d phantom, %d duplicates",
			len(report.Lost), len(report.Phantom), len(report.Duplicates))
		for _, a := range l.Attempts() {
			if a.Outcome != ledger.Acked {
				t.Logf("%v %v (xid %q): %T %v", a.Key, a.Outcome, a.Xid, a.Err, a.Err)
			}
		}
	}
	return report, resolved, f
}

// waitForAckAfter waits until some commit that ended after at was acknowledged.
func waitForAckAfter(t *testing.T, l *ledger.Ledger, at time.Duration, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, a := range l.Attempts() {
			if a.Outcome == ledger.Acked && a.End > at {
				return
			}
		}
		time.Sleep(50 * time.Millisecond) // poll step, bounded by deadline
	}
	t.Fatalf("no commit acknowledged within %s of the fault", limit)
}

// testLabel is this run's value of io.flexpg.test.
func testLabel() string {
	if v := os.Getenv("FLEXPG_TEST_RUN"); v != "" {
		return v
	}
	return testLabelDefault
}
