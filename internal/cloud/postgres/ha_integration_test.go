package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"maps"
	"net/netip"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
)

// TestHA builds a synchronous physical standby from the package's pieces alone, on real containers of every
// version, and takes it through what the HA controller will do: base backup through a slot, synchronous
// streaming, a commit that blocks while the standby is away (and is terminated, never cancelled), promotion,
// and the rejoin of the crashed old primary with pg_rewind. Gated by FLEXPG_DOCKER=1.
func TestHA(t *testing.T) {
	cli := requireDocker(t)
	for _, major := range testMajors {
		t.Run("pg"+major, func(t *testing.T) {
			image := testImageFor(major)
			waitForImage(t, cli, image)
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			testHA(ctx, t, newHACluster(t, newTestNet(t, cli), image))
		})
	}
}

// haCluster is what the instances of one highly available test server share: network, CA, the
// replication role's certificate and the server parameters.
type haCluster struct {
	t         *testing.T
	net       *testNet
	image     string
	ca        *pki.CA
	replFiles map[string][]byte // the replication client certificate and the CA, for ConfigDir
	replTLS   *tls.Config       // the same certificate, for the test's own connections
	started   time.Time
}

func newHACluster(t *testing.T, n *testNet, image string) *haCluster {
	c := &haCluster{t: t, net: n, image: image, ca: newTestCA(t), started: time.Now()}
	crt, key, err := c.ca.IssueClient(ReplicationRole)
	if err != nil {
		t.Fatal(err)
	}
	c.replFiles = map[string][]byte{path.Base(ReplicationCertFile): crt, path.Base(ReplicationKeyFile): key,
		path.Base(CAFile): c.ca.CertPEM()}
	if c.replTLS, err = c.ca.ClientTLS(testFQDN, crt, key); err != nil {
		t.Fatal(err)
	}
	return c
}

// hba renders an instance's access rules: both instances may replicate from each other (the whole test
// network), users come from the host only when users is set (the primary).
func (c *haCluster) hba(users bool) HBAInput {
	in := HBAInput{ManagementCIDR: netip.PrefixFrom(c.net.gateway, 32), ReplicationSources: []netip.Prefix{c.net.subnet},
		RequireSecureTransport: true}
	if users {
		in.UserSources = []netip.Prefix{netip.PrefixFrom(c.net.gateway, 32)}
	}
	return in
}

func (c *haCluster) primaryParams(syncStandbys ...string) map[string]string {
	role, err := PrimarySettings(syncStandbys)
	if err != nil {
		c.t.Fatal(err)
	}
	params := itParams(nil)
	maps.Copy(params, role)
	return params
}

func (c *haCluster) standbyParams(primary *pgServer, instance string) map[string]string {
	slot, err := SlotName(instance)
	if err != nil {
		c.t.Fatal(err)
	}
	role, err := StandbySettings(StandbyConfig{Primary: c.peer(primary), SlotName: slot, ApplicationName: instance})
	if err != nil {
		c.t.Fatal(err)
	}
	params := itParams(nil)
	maps.Copy(params, role)
	return params
}

// peer is how the other instance reaches s: the server's FQDN for the certificate, s's address to connect.
func (c *haCluster) peer(s *pgServer) Peer {
	return Peer{Host: testFQDN, Addr: netip.MustParseAddr(s.ip), Port: Port}
}

// step logs how long the test has run, so the log reads as a timeline.
func (c *haCluster) step(format string, args ...any) {
	c.t.Helper()
	c.t.Logf("[%6.2fs] "+format, append([]any{time.Since(c.started).Seconds()}, args...)...)
}

// run runs argv in a throwaway container of the image with vol mounted (ExecEnv) and files in ConfigDir,
// copied as root with mode 0644 so the command has to fix what libpq insists on itself, and returns its
// exit code, output and duration.
func (c *haCluster) run(ctx context.Context, vol string, files map[string][]byte, argv []string) (int, string, time.Duration) {
	c.t.Helper()
	cli := c.net.cli
	id := c.net.createContainer(c.t, &container.Config{Image: c.image, Env: []string{ExecEnv}, Cmd: argv}, vol)
	copyConfigFiles(c.t, cli, id, files, 0, 0, 0o644)
	start := time.Now()
	waitCh, errCh := cli.ContainerWait(ctx, id, container.WaitConditionNextExit)
	if err := cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		c.t.Fatalf("start command container: %v", err)
	}
	select {
	case res := <-waitCh:
		return int(res.StatusCode), containerLogs(cli, id), time.Since(start)
	case err := <-errCh:
		c.t.Fatalf("wait for command container: %v", err)
	}
	return 0, "", 0
}

// eventually polls cond until it holds, failing the test when ctx or 60 s end first.
func eventually(ctx context.Context, t *testing.T, what string, cond func(ctx context.Context) (bool, error)) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	pause := 10 * time.Millisecond
	for {
		ok, err := cond(ctx)
		if ok {
			return time.Since(start)
		}
		if sleepCtx(ctx, pause) != nil {
			t.Fatalf("%s: not within %v (last error: %v)", what, time.Since(start).Round(time.Millisecond), err)
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

func replicaNamed(ctx context.Context, conn *pgx.Conn, app string) (Replica, bool, error) {
	replicas, _, err := ReplicationStatus(ctx, conn)
	if err != nil {
		return Replica{}, false, err
	}
	for _, r := range replicas {
		if r.ApplicationName == app {
			return r, true, nil
		}
	}
	return Replica{}, false, nil
}

// waitSync waits until app streams from the primary conn as its synchronous standby.
func waitSync(ctx context.Context, t *testing.T, conn *pgx.Conn, app string) (Replica, time.Duration) {
	t.Helper()
	var r Replica
	took := eventually(ctx, t, app+" streaming as the sync standby", func(ctx context.Context) (bool, error) {
		var found bool
		var err error
		r, found, err = replicaNamed(ctx, conn, app)
		return found && r.State == "streaming" && r.SyncState == "sync", err
	})
	return r, took
}

func waitStreaming(ctx context.Context, t *testing.T, conn *pgx.Conn, what string) Status {
	t.Helper()
	var st Status
	eventually(ctx, t, what+" WAL receiver streaming", func(ctx context.Context) (bool, error) {
		var err error
		st, err = InstanceStatus(ctx, conn)
		return err == nil && st.Receiver == "streaming", err
	})
	return st
}

func currentLSN(ctx context.Context, t *testing.T, conn *pgx.Conn) LSN {
	t.Helper()
	st, err := InstanceStatus(ctx, conn)
	if err != nil || st.InRecovery {
		t.Fatalf("current LSN: %+v, %v", st, err)
	}
	return st.CurrentLSN
}

func mustExec(ctx context.Context, t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// ledger returns the ids in the test's table, sorted.
func ledger(ctx context.Context, t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(ctx, "SELECT id FROM ledger ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// waitEvent is the wait event of backend pid ("" when none, gone when it no longer exists).
func waitEvent(ctx context.Context, conn *pgx.Conn, pid uint32) (event string, gone bool, err error) {
	var ev *string
	err = conn.QueryRow(ctx, "SELECT wait_event FROM pg_stat_activity WHERE pid = $1", int64(pid)).Scan(&ev)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", true, nil
	}
	return deref(ev), false, err
}

func (c *haCluster) app(ctx context.Context, s *pgServer) *pgx.Conn {
	c.t.Helper()
	return c.appRefusing(ctx, s, nil)
}

// appRefusing is an admin session of s that tells refused of each cancel request pgx tried to send.
func (c *haCluster) appRefusing(ctx context.Context, s *pgServer, refused func()) *pgx.Conn {
	c.t.Helper()
	conn, err := s.userConnRefusing(ctx, itAdmin, itPassword, ManagementDatabase, s.verifyFull(tls.VersionTLS12, 0), refused)
	if err != nil {
		c.t.Fatalf("admin connects: %v", err)
	}
	c.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func (c *haCluster) stop(ctx context.Context, s *pgServer) {
	c.t.Helper()
	timeout := 20
	// SIGINT is PostgreSQL's fast shutdown: sessions end, WAL is flushed, a shutdown checkpoint is written.
	if err := c.net.cli.ContainerStop(ctx, s.id, container.StopOptions{Signal: "SIGINT", Timeout: &timeout}); err != nil {
		c.t.Fatalf("stop container: %v", err)
	}
}

// crash kills the instance's postmaster (PID 1 of its container) with SIGKILL: no shutdown checkpoint, no
// flushing beyond what commits did, the data directory left "in production".
func (c *haCluster) crash(ctx context.Context, s *pgServer) {
	c.t.Helper()
	waitCh, errCh := c.net.cli.ContainerWait(ctx, s.id, container.WaitConditionNotRunning)
	if err := c.net.cli.ContainerKill(ctx, s.id, "SIGKILL"); err != nil {
		c.t.Fatalf("kill container: %v", err)
	}
	select {
	case <-waitCh:
	case err := <-errCh:
		c.t.Fatalf("wait for killed container: %v", err)
	}
}

func testHA(ctx context.Context, t *testing.T, c *haCluster) {
	// Primary A, at first with no synchronous standby, so setting up does not wait for one.
	a := c.net.newServer(t, c.image, c.ca, c.net.newVolume(t), c.primaryParams(), c.hba(true), c.replFiles)
	mgmtA := a.start(t)
	c.step("primary A up at %s", a.ip)
	if err := EnsureAdminRole(ctx, mgmtA, itAdmin, itPassword); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := EnsureReplicationRole(ctx, mgmtA); err != nil {
			t.Fatalf("EnsureReplicationRole run %d: %v", i+1, err)
		}
	}
	mustExec(ctx, t, mgmtA, "CREATE TABLE ledger (id text PRIMARY KEY)")
	mustExec(ctx, t, mgmtA, "GRANT SELECT, INSERT ON ledger TO "+itAdmin)
	mustExec(ctx, t, mgmtA, "INSERT INTO ledger VALUES ('0-before-ha')")
	slotB, _ := SlotName("inst_b")
	for i := 0; i < 2; i++ {
		if err := EnsurePhysicalSlot(ctx, mgmtA, slotB); err != nil {
			t.Fatalf("EnsurePhysicalSlot run %d: %v", i+1, err)
		}
	}
	var reserved bool
	if err := mgmtA.QueryRow(ctx, "SELECT restart_lsn IS NOT NULL FROM pg_replication_slots WHERE slot_name = $1", slotB).Scan(&reserved); err != nil || !reserved {
		t.Fatalf("slot %s reserves no WAL (%v)", slotB, err)
	}

	// Standby B: a base backup into a fresh volume, by the image run as a client.
	volB := c.net.newVolume(t)
	argv, err := BaseBackupCommand(BaseBackup{Source: c.peer(a), Slot: slotB})
	if err != nil {
		t.Fatal(err)
	}
	code, out, took := c.run(ctx, volB, c.replFiles, argv)
	if code != int(ExitOK) {
		t.Fatalf("base backup: exit %d\n%s", code, out)
	}
	c.step("base backup into a fresh volume: %v", took.Round(time.Millisecond))
	if code, out, _ := c.run(ctx, volB, c.replFiles, argv); !errors.Is(ExitError(code), ErrDataExists) {
		t.Fatalf("second base backup into the same volume: exit %d, want %d\n%s", code, ExitDataExists, out)
	}
	testCommandRefusals(ctx, t, c, slotB, volB)
	b := c.net.newServer(t, c.image, c.ca, volB, c.standbyParams(a, "inst_b"), c.hba(false), c.replFiles)
	mgmtB := b.start(t)
	if st := waitStreaming(ctx, t, mgmtB, "B"); !st.InRecovery || st.Timeline != 1 {
		t.Fatalf("standby B status %+v, want in recovery on timeline 1", st)
	}
	c.step("standby B up at %s and streaming", b.ip)

	// HA on: A's commits now wait for B.
	a.reconfigure(t, mgmtA, c.primaryParams("inst_b"), c.hba(true))
	r, took := waitSync(ctx, t, mgmtA, "inst_b")
	if r.ClientAddr != netip.MustParseAddr(b.ip) {
		t.Errorf("inst_b connects from %s, want %s", r.ClientAddr, b.ip)
	}
	c.step("B is A's synchronous standby %v after the reload", took.Round(time.Millisecond))

	appA := c.app(ctx, a)
	start := time.Now()
	mustExec(ctx, t, appA, "INSERT INTO ledger VALUES ('1-sync')")
	commit := time.Since(start)
	lsn := currentLSN(ctx, t, mgmtA)
	if err := WaitReplayed(ctx, mgmtB, lsn); err != nil {
		t.Fatal(err)
	}
	if ids := ledger(ctx, t, mgmtB); !slices.Contains(ids, "1-sync") {
		t.Fatalf("standby B has %v, want 1-sync", ids)
	}
	c.step("synchronous commit %v, replayed on B at %s", commit.Round(time.Microsecond), lsn)

	testHAAccess(ctx, t, c, a, b)
	testTerminateKeepsWalsenders(ctx, t, c, a, mgmtA)
	mgmtB = testCommitBlocksWithoutStandby(ctx, t, c, a, mgmtA, b)

	// Failover: B is promoted; A, cut off from it but still up, takes writes nobody else sees, then crashes.
	if err := WaitReplayed(ctx, mgmtB, currentLSN(ctx, t, mgmtA)); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := Promote(ctx, mgmtB, 30*time.Second); err != nil {
		t.Fatalf("Promote: %v", err)
	}
	promoted := time.Since(start)
	if st, err := InstanceStatus(ctx, mgmtB); err != nil || st.InRecovery || st.Timeline != 2 {
		t.Fatalf("B after promotion: %+v, %v; want a primary on timeline 2", st, err)
	}
	if err := Promote(ctx, mgmtB, time.Second); err != nil {
		t.Fatalf("Promote of a primary: %v, want nil (a resumed failover repeats it)", err)
	}
	c.step("B promoted in %v, now on timeline 2", promoted.Round(time.Millisecond))
	err = pgx.BeginFunc(ctx, mgmtA, func(tx pgx.Tx) error {
		// Only this transaction skips the wait for the (gone) synchronous standby: it stands for a split brain.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = local"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO ledger SELECT 'x-divergent-' || i FROM generate_series(1, 200) AS i")
		return err
	})
	if err != nil {
		t.Fatalf("divergent writes on A: %v", err)
	}
	c.crash(ctx, a)
	c.step("divergent writes on A, then SIGKILL")

	// B serves users now and keeps a slot for A.
	b.reconfigure(t, mgmtB, c.primaryParams(), c.hba(true))
	appB := c.app(ctx, b)
	mustExec(ctx, t, appB, "INSERT INTO ledger VALUES ('3-after-failover')")
	mgmtA, out, took = c.rejoin(ctx, a, b, mgmtB, "inst_a", 2)
	if !strings.Contains(out, "single-user mode") {
		t.Errorf("rewind of a crashed primary ran no crash recovery:\n%s", out)
	}
	c.step("crash recovery and rewind of A took %v; A streams from B as its synchronous standby\n%s",
		took.Round(time.Millisecond), out)
	mustExec(ctx, t, appB, "INSERT INTO ledger VALUES ('4-after-rejoin')")
	if err := WaitReplayed(ctx, mgmtA, currentLSN(ctx, t, mgmtB)); err != nil {
		t.Fatal(err)
	}
	want := []string{"0-before-ha", "1-sync", "2-blocked-terminated", "2-blocked-waited", "3-after-failover", "4-after-rejoin"}
	if got := ledger(ctx, t, mgmtA); !slices.Equal(got, want) {
		t.Fatalf("A after rejoining has %v, want %v (no divergent rows)", got, want)
	}
	if got := ledger(ctx, t, mgmtB); !slices.Equal(got, want) {
		t.Fatalf("B has %v, want %v", got, want)
	}

	// Switch back, planned this time: A becomes the primary again, B is rewound after a clean shutdown.
	mgmtA, mgmtB = testSwitchover(ctx, t, c, b, mgmtB, a, mgmtA, "inst_b")
	want = append(want, "5-after-switchover")
	if got := ledger(ctx, t, mgmtB); !slices.Equal(got, want) {
		t.Fatalf("B after the switchover has %v, want %v", got, want)
	}

	// HA off: the slot goes, even while its standby streams.
	for i := 0; i < 2; i++ {
		if err := DropPhysicalSlot(ctx, mgmtA, slotB); err != nil {
			t.Fatalf("DropPhysicalSlot of an active slot, run %d: %v", i+1, err)
		}
	}
	var slots int
	if err := mgmtA.QueryRow(ctx, "SELECT count(*) FROM pg_replication_slots").Scan(&slots); err != nil || slots != 0 {
		t.Fatalf("%d slots left on A (%v)", slots, err)
	}
	c.step("done")
}

// testSwitchover makes the standby to the primary and the primary from its synchronous standby named
// fromInstance, as a planned failover does: checkpoint, fast shutdown (the walsender sends the standby all
// WAL, the shutdown checkpoint included), promotion, and a rewind of the cleanly stopped old primary, which
// then needs no crash recovery. It returns the new management connections of to and from.
func testSwitchover(ctx context.Context, t *testing.T, c *haCluster, from *pgServer, mgmtFrom *pgx.Conn, to *pgServer, mgmtTo *pgx.Conn, fromInstance string) (*pgx.Conn, *pgx.Conn) {
	start := time.Now()
	if err := Checkpoint(ctx, mgmtFrom); err != nil {
		t.Fatal(err)
	}
	c.stop(ctx, from)
	if err := Promote(ctx, mgmtTo, 30*time.Second); err != nil {
		t.Fatalf("Promote: %v", err)
	}
	st, err := InstanceStatus(ctx, mgmtTo)
	if err != nil || st.InRecovery || st.Timeline != 3 {
		t.Fatalf("after the switchover: %+v, %v; want a primary on timeline 3", st, err)
	}
	to.reconfigure(t, mgmtTo, c.primaryParams(), c.hba(true))
	c.step("switchover: checkpoint, fast shutdown, promotion in %v", time.Since(start).Round(time.Millisecond))
	mgmtFrom, out, took := c.rejoin(ctx, from, to, mgmtTo, fromInstance, 3)
	if strings.Contains(out, "single-user mode") {
		t.Errorf("rewind after a clean shutdown ran crash recovery:\n%s", out)
	}
	c.step("rewind of the cleanly stopped old primary took %v\n%s", took.Round(time.Millisecond), out)
	mustExec(ctx, t, c.app(ctx, to), "INSERT INTO ledger VALUES ('5-after-switchover')")
	if err := WaitReplayed(ctx, mgmtFrom, currentLSN(ctx, t, mgmtTo)); err != nil {
		t.Fatal(err)
	}
	c.step("switched over; the old primary streams as the synchronous standby")
	return mgmtTo, mgmtFrom
}

// rejoin makes the stopped old primary old a synchronous standby of primary, as instance: a slot on primary,
// RewindCommand on old's volume with old's new configuration, old started with it and streaming on timeline,
// primary listing it as its synchronous standby. It returns old's new management connection, the rewind's
// output and duration.
func (c *haCluster) rejoin(ctx context.Context, old, primary *pgServer, mgmtPrimary *pgx.Conn, instance string, timeline uint32) (*pgx.Conn, string, time.Duration) {
	t := c.t
	t.Helper()
	slot, _ := SlotName(instance)
	if err := EnsurePhysicalSlot(ctx, mgmtPrimary, slot); err != nil {
		t.Fatal(err)
	}
	params := c.standbyParams(primary, instance)
	conf, err := RenderConfig(params)
	if err != nil {
		t.Fatal(err)
	}
	files := maps.Clone(c.replFiles)
	files[path.Base(ConfigFile)] = conf
	argv, err := RewindCommand(Rewind{Source: c.peer(primary)})
	if err != nil {
		t.Fatal(err)
	}
	code, out, took := c.run(ctx, old.vol, files, argv)
	if code != int(ExitOK) {
		t.Fatalf("rewind of %s: exit %d\n%s", instance, code, out)
	}

	rendered := map[string][]byte{}
	old.render(t, rendered, params, c.hba(false))
	old.copyFiles(t, rendered)
	mgmtOld := old.start(t)
	if st := waitStreaming(ctx, t, mgmtOld, instance); !st.InRecovery || st.Timeline != timeline {
		t.Fatalf("%s after the rewind: %+v, want a standby on timeline %d", instance, st, timeline)
	}
	primary.reconfigure(t, mgmtPrimary, c.primaryParams(instance), c.hba(true))
	waitSync(ctx, t, mgmtPrimary, instance)
	return mgmtOld, out, took
}

// testCommandRefusals: the commands' other exit codes, each on a volume that must come out untouched (the
// standby's, fresh from its base backup, starts afterwards).
func testCommandRefusals(ctx context.Context, t *testing.T, c *haCluster, slot, standbyVol string) {
	// Nothing listens on port 1 of the host: connection refused at once.
	nobody := Peer{Host: testFQDN, Addr: c.net.gateway, Port: 1}
	empty := c.net.newVolume(t)
	backup, err := BaseBackupCommand(BaseBackup{Source: nobody, Slot: slot})
	if err != nil {
		t.Fatal(err)
	}
	rewindNobody, err := RewindCommand(Rewind{Source: nobody})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		vol  string
		argv []string
		want error
	}{
		{"base backup from a source that does not answer", empty, backup, ErrSourceUnavailable},
		{"rewind of an empty volume", empty, rewindNobody, ErrRebuild},
		{"rewind from a source that does not answer", standbyVol, rewindNobody, ErrSourceUnavailable},
	} {
		code, out, took := c.run(ctx, tc.vol, c.replFiles, tc.argv)
		if !errors.Is(ExitError(code), tc.want) {
			t.Fatalf("%s: exit %d, want %v\n%s", tc.what, code, tc.want, out)
		}
		c.step("%s: exit %d in %v", tc.what, code, took.Round(time.Millisecond))
	}
}

// testHAAccess: users cannot reach a standby, and the replication role has no way in but its certificate
// from a replication source, for replication or pg_rewind's database.
func testHAAccess(ctx context.Context, t *testing.T, c *haCluster, a, b *pgServer) {
	_, err := b.userConn(ctx, itAdmin, itPassword, ManagementDatabase, b.verifyFull(tls.VersionTLS12, 0))
	wantSQLState(t, err, "28000")
	conn, err := a.userConn(ctx, ReplicationRole, "", ManagementDatabase, c.replTLS)
	if err != nil {
		t.Fatalf("replication role with its certificate to %s: %v", ManagementDatabase, err)
	}
	// What pg_rewind reads, as that role.
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_ls_dir('global', true, false)").Scan(&n); err != nil || n == 0 {
		t.Fatalf("replication role lists global/: %d, %v", n, err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_read_binary_file('global/pg_control')"); err != nil {
		t.Fatalf("replication role reads pg_control: %v", err)
	}
	conn.Close(ctx)
	_, err = a.userConn(ctx, ReplicationRole, "", "template1", c.replTLS)
	wantSQLState(t, err, "28000")
	_, err = a.userConn(ctx, ReplicationRole, "guess", ManagementDatabase, a.verifyFull(tls.VersionTLS12, 0))
	wantSQLState(t, err, "28000")
	c.step("access: admin refused on the standby; replication role only by certificate")
}

// testTerminateKeepsWalsenders: TerminateClientBackends ends user sessions, not the management connection
// and not the walsender feeding the standby.
func testTerminateKeepsWalsenders(ctx context.Context, t *testing.T, c *haCluster, a *pgServer, mgmtA *pgx.Conn) {
	walsenders := func() []int32 {
		rows, err := mgmtA.Query(ctx, "SELECT pid FROM pg_stat_replication ORDER BY pid")
		if err != nil {
			t.Fatal(err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		return pids
	}
	before := walsenders()
	victim := c.app(ctx, a)
	// A client claiming the cloud's application name is still a client.
	if _, err := victim.Exec(ctx, "SET application_name = '"+applicationTag+"'"); err != nil {
		t.Fatal(err)
	}
	n, err := TerminateClientBackends(ctx, mgmtA)
	if err != nil || n < 1 {
		t.Fatalf("TerminateClientBackends = %d, %v", n, err)
	}
	if _, err := victim.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a client session survived TerminateClientBackends")
	}
	mustExec(ctx, t, mgmtA, "SELECT 1")
	if after := walsenders(); len(before) == 0 || !slices.Equal(before, after) {
		t.Fatalf("walsenders %v before, %v after", before, after)
	}
	c.step("TerminateClientBackends ended %d client sessions, kept the walsender", n)
}

// testCommitBlocksWithoutStandby: with the standby down a commit waits; giving up on the client side (a
// context deadline, which only closes the socket) leaves the server waiting; terminating the backend ends
// the wait without an acknowledgement; a commit still waiting when the standby returns completes. It returns
// the new management connection to the restarted standby.
func testCommitBlocksWithoutStandby(ctx context.Context, t *testing.T, c *haCluster, a *pgServer, mgmtA *pgx.Conn, b *pgServer) *pgx.Conn {
	c.stop(ctx, b)
	eventually(ctx, t, "inst_b gone from pg_stat_replication", func(ctx context.Context) (bool, error) {
		_, found, err := replicaNamed(ctx, mgmtA, "inst_b")
		return !found, err
	})
	c.step("standby B stopped")

	cancels := make(chan struct{}, 8)
	blocked := c.appRefusing(ctx, a, func() { cancels <- struct{}{} })
	pid := blocked.PgConn().PID()
	bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	start := time.Now()
	_, err := blocked.Exec(bctx, "INSERT INTO ledger VALUES ('2-blocked-terminated')")
	cancel()
	waited := time.Since(start)
	if err == nil || !(pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)) || waited < 2*time.Second {
		t.Fatalf("commit without the standby returned after %v with %v, want a timeout after 2 s", waited, err)
	}
	// pgx tries to cancel the query by itself once its context has ended (it cancels before closing the
	// socket); sessionDialsOnly refuses. Wait for that attempt, or long enough for it, before looking.
	attempted := true
	select {
	case <-cancels:
	case <-time.After(2 * time.Second):
		attempted = false
	}
	if ev, gone, err := waitEvent(ctx, mgmtA, pid); err != nil || gone || ev != "SyncRep" {
		t.Fatalf("backend %d after the client gave up: wait event %q, gone %v (%v); want it still waiting in SyncRep", pid, ev, gone, err)
	}
	if ids := ledger(ctx, t, mgmtA); slices.Contains(ids, "2-blocked-terminated") {
		t.Fatal("a commit waiting for the standby is visible")
	}
	n, err := TerminateClientBackends(ctx, mgmtA)
	if err != nil || n < 1 {
		t.Fatalf("TerminateClientBackends = %d, %v", n, err)
	}
	eventually(ctx, t, "terminated backend gone", func(ctx context.Context) (bool, error) {
		_, gone, err := waitEvent(ctx, mgmtA, pid)
		return gone, err
	})
	// Terminating ends the wait, not the commit: the row is there locally, the client never heard so, and the
	// standby gets it when it returns (the indeterminate outcome of ha-reliability §6.3).
	if ids := ledger(ctx, t, mgmtA); !slices.Contains(ids, "2-blocked-terminated") {
		t.Fatal("the terminated commit is not there locally")
	}
	c.step("commit blocked %v without the standby; pgx's own cancel attempt refused: %v; backend still in SyncRep; terminated",
		waited.Round(time.Millisecond), attempted)

	waiter := c.app(ctx, a)
	wpid := waiter.PgConn().PID()
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(ctx, "INSERT INTO ledger VALUES ('2-blocked-waited')")
		done <- err
	}()
	eventually(ctx, t, "second commit waiting in SyncRep", func(ctx context.Context) (bool, error) {
		ev, _, err := waitEvent(ctx, mgmtA, wpid)
		return ev == "SyncRep", err
	})
	restart := time.Now()
	mgmtB := b.start(t)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("commit waiting for the standby: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("commit still waiting after the standby came back")
	}
	c.step("the waiting commit returned %v after B was started", time.Since(restart).Round(time.Millisecond))
	if err := WaitReplayed(ctx, mgmtB, currentLSN(ctx, t, mgmtA)); err != nil {
		t.Fatal(err)
	}
	ids := ledger(ctx, t, mgmtB)
	if !slices.Contains(ids, "2-blocked-terminated") || !slices.Contains(ids, "2-blocked-waited") {
		t.Fatalf("standby B has %v after restart", ids)
	}
	return mgmtB
}
