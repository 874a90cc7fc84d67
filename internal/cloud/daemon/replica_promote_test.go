package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/ledger"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// loggedStates returns the replication_state changes of server the cloud logged, in order.
func loggedStates(t *testing.T, cloud *cloudtest.Cloud, server string) []string {
	t.Helper()
	log, err := os.ReadFile(filepath.Join(cloud.Home, "cloud.log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(log), "\n") {
		if strings.Contains(line, "msg=replication_state ") && strings.Contains(line, " server="+server+" ") {
			if i := strings.Index(line, " state="); i >= 0 {
				out = append(out, strings.Fields(line[i+len(" state="):])[0])
			}
		}
	}
	return out
}

// promote changes a replica's replication_role, as flexpg_read_replica does, and waits for the promotion.
// Its replication_state must walk seed 004's promote order, as the cloud logged it.
func promote(t *testing.T, cloud *cloudtest.Cloud, c *client.Client, name, role, option string) *model.Server {
	t.Helper()
	ctx := context.Background()
	rep, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	req := model.Server{Name: name, CreateMode: spec.CreateModeReplica, SourceServerID: rep.SourceServerID,
		Location: rep.Location, SKUName: rep.SKUName, StorageMB: rep.StorageMB, AutoGrowEnabled: rep.AutoGrowEnabled,
		ReplicationRole: role, PromoteOption: option}
	before := len(loggedStates(t, cloud, name))
	waiter(t, c)(c.PutServer(ctx, name, req, false))
	walk := loggedStates(t, cloud, name)[before:]
	want := []string{spec.ReplicationStateReconfiguring, spec.ReplicationStateUpdating, spec.ReplicationStateCatchup, spec.ReplicationStateActive}
	if !slices.Equal(walk, want) {
		t.Fatalf("replication_state went %v during the promotion; want %v", walk, want)
	}
	after, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if after.ReplicationRole != role || after.ReplicaOf != "" || after.LastPromotion == nil || after.LastPromotion.PromoteOption != option {
		t.Fatalf("after the promotion the replica reads back %+v", after)
	}
	return after
}

// TestPromoteToIndependentPlanned (BAR-R1): 8 writers with a ledger commit on the primary until the
// promotion is asked for; the planned promotion to independent server keeps every acknowledged commit, the
// promoted server takes writes, and the primary keeps serving without the replica's slot.
func TestPromoteToIndependentPlanned(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	primary := gpServer(t, c, "it-pi-primary")
	waiter(t, c)(putReplica(ctx, c, "it-pi-replica", "it-pi-primary"))
	l, err := ledger.Run(ctx, ledger.Config{DSN: writerDSN(t, primary), Writers: 8, Rate: 200})
	if err != nil {
		t.Fatal(err)
	}
	// The writers run until they have a few hundred outcomes.
	if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		if n := len(l.Attempts()); n < 400 {
			return fmt.Errorf("%d attempts so far", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := l.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	promoted := promote(t, cloud, c, "it-pi-replica", spec.ReplicationRoleNone, spec.PromoteOptionPlanned)
	if promoted.LastPromotion.LagBytes != 0 {
		t.Errorf("a planned promotion reports lag %d bytes; want 0", promoted.LastPromotion.LagBytes)
	}
	replica := serverConn(t, c, "it-pi-replica")
	dsn := writerDSN(t, replica)
	if _, err := l.Resolve(ctx, writerDSN(t, primary)); err != nil {
		t.Fatal(err)
	}
	r, err := l.Check(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("on the promoted server:\n%s", r.Summary())
	if !r.OK() || r.Acked == 0 {
		t.Fatalf("planned promotion lost commits: %d lost, %d phantom, %d duplicate of %d acked", len(r.Lost), len(r.Phantom), len(r.Duplicates), r.Acked)
	}
	if err := replica.Exec(ctx, "create table mine(n int); insert into mine values (1)"); err != nil {
		t.Fatalf("the independent server takes writes: %v", err)
	}
	if err := primary.Exec(ctx, "create table still(n int)"); err != nil {
		t.Fatalf("the primary keeps taking writes: %v", err)
	}
	if s, err := primary.QueryString(ctx, "select count(*)::text from pg_replication_slots"); err != nil || s != "0" {
		t.Fatalf("slots left on the primary: %s %v", s, err)
	}
	if p, _ := c.GetServer(ctx, "it-pi-primary"); len(p.Replicas) != 0 || p.State != "Ready" {
		t.Fatalf("the primary after the promotion: %+v", p)
	}
	// Irreversible: back to AsyncReplica is refused.
	rep, _ := c.GetServer(ctx, "it-pi-replica")
	_, err = c.PutServer(ctx, "it-pi-replica", model.Server{Name: "it-pi-replica", CreateMode: spec.CreateModeReplica,
		SourceServerID: rep.SourceServerID, ReplicationRole: spec.ReplicationRoleAsyncReplica}, false)
	if !strings.Contains(fmt.Sprint(err), "irreversible") {
		t.Fatalf("None → AsyncReplica: %v", err)
	}
}

// TestPromoteForcedLosesAtMostTheLag (BAR-R2): replay is paused on the replica and K rows are committed on
// the primary, each with the WAL position right after its commit. A forced promotion reports a lag at least
// the distance from the paused replay position to the last commit, and every row whose commit lies at or
// below the replay position is on the promoted server; no row that was never written is.
func TestPromoteForcedLosesAtMostTheLag(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	primary := gpServer(t, c, "it-pf-primary")
	waiter(t, c)(putReplica(ctx, c, "it-pf-replica", "it-pf-primary"))
	if err := primary.Exec(ctx, "create table rows(n int primary key, lsn pg_lsn)"); err != nil {
		t.Fatal(err)
	}
	conn, err := primary.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	commit := func(n int) {
		if _, err := conn.Exec(ctx, "insert into rows values ($1, null)", n); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "update rows set lsn = pg_current_wal_lsn() where n = $1", n); err != nil {
			t.Fatal(err)
		}
	}
	for n := 1; n <= 100; n++ {
		commit(n)
	}
	ins, err := cloud.Controller().Instances("it-pf-replica")
	if err != nil {
		t.Fatal(err)
	}
	replicaContainer := ins[0].Container
	replica := serverConn(t, c, "it-pf-replica")
	waitRows(t, replica, 100)
	superuser(t, replicaContainer, "select pg_wal_replay_pause()")
	replayLSN := superuser(t, replicaContainer, "select pg_last_wal_replay_lsn()")
	for n := 101; n <= 300; n++ {
		commit(n)
	}
	var lastLSN string
	if err := conn.QueryRow(ctx, "select pg_current_wal_lsn()::text").Scan(&lastLSN); err != nil {
		t.Fatal(err)
	}
	var behind int64
	if err := conn.QueryRow(ctx, "select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint", lastLSN, replayLSN).Scan(&behind); err != nil {
		t.Fatal(err)
	}
	promoted := promote(t, cloud, c, "it-pf-replica", spec.ReplicationRoleNone, spec.PromoteOptionForced)
	t.Logf("replay paused at %s, primary at %s (%d bytes behind); the promotion reports %d bytes", replayLSN, lastLSN, behind, promoted.LastPromotion.LagBytes)
	if promoted.LastPromotion.LagBytes < behind {
		t.Errorf("reported lag %d bytes; the replica was at least %d behind", promoted.LastPromotion.LagBytes, behind)
	}
	// Every row committed at or below the replay position is there; the rest may be.
	var missing, total, maxN int
	rconn, err := replica.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rconn.Close(ctx)
	if err := rconn.QueryRow(ctx, "select count(*), coalesce(max(n), 0) from rows").Scan(&total, &maxN); err != nil {
		t.Fatal(err)
	}
	var below []int
	rows, err := conn.Query(ctx, "select n from rows where lsn <= $1::pg_lsn order by n", replayLSN)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		below = append(below, n)
	}
	rows.Close()
	for _, n := range below {
		var found bool
		if err := rconn.QueryRow(ctx, "select exists(select 1 from rows where n = $1)", n).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if !found {
			missing++
		}
	}
	t.Logf("%d rows at or below the replay position, %d missing; the promoted server has %d of 300 rows", len(below), missing, total)
	if len(below) < 100 || missing > 0 || total > 300 || maxN > 300 {
		t.Fatalf("forced promotion: %d of %d rows below the replay position missing, %d rows (max n %d)", missing, len(below), total, maxN)
	}
}

func waitRows(t *testing.T, conn cloudtest.Conn, want int) {
	t.Helper()
	if _, err := cloudtest.Eventually(context.Background(), 10*time.Second, func() error {
		got, err := conn.QueryString(context.Background(), "select count(*)::text from rows")
		if err == nil && got != strconv.Itoa(want) {
			err = fmt.Errorf("%s rows; want %d", got, want)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// endpointDSN is a DSN for a virtual endpoint's host port, as the admin.
func endpointDSN(t *testing.T, admin cloudtest.Conn, port int) string {
	t.Helper()
	return writerDSN(t, throughEndpoint(admin, "", port))
}

// throughEndpoint is admin's connection to a virtual endpoint's name and host port (admin's server record
// is shared, so it is copied, not changed).
func throughEndpoint(admin cloudtest.Conn, fqdn string, port int) cloudtest.Conn {
	srv := *admin.Server
	srv.Port = port
	if fqdn != "" {
		srv.FQDN = fqdn
	}
	admin.Server = &srv
	return admin
}

// TestPromoteToPrimaryPlanned (BAR-R1, seed 004's virtual endpoint table): a primary, its replica and a
// virtual endpoint whose reader targets the replica. 16 writers with a ledger write through the writer
// endpoint while the replica is promoted to primary server (planned): no acknowledged commit is lost,
// never two servers acknowledge writes, the writer endpoint moves to the promoted server and the reader to
// the old primary, which streams from the promoted server and refuses writes.
func TestPromoteToPrimaryPlanned(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	primary := gpServer(t, c, "it-pp-a")
	do(putReplica(ctx, c, "it-pp-b", "it-pp-a"))
	do(c.PutVirtualEndpoint(ctx, "it-pp-a", model.VirtualEndpoint{Name: "it-pp-ve", ReplicaServerID: spec.ServerID("it-pp-b")}))
	ve, err := c.GetVirtualEndpoint(ctx, "it-pp-a", "it-pp-ve")
	if err != nil {
		t.Fatal(err)
	}
	if ve.WriterFQDN != "it-pp-ve.writer.postgres.flexpg.internal" || ve.ReaderFQDN != "it-pp-ve.reader.postgres.flexpg.internal" ||
		ve.WriterPort == 0 || ve.ReaderPort == 0 || ve.WriterServerID != spec.ServerID("it-pp-a") || ve.ReaderServerID != spec.ServerID("it-pp-b") {
		t.Fatalf("virtual endpoint %+v", ve)
	}
	writer := throughEndpoint(primary, ve.WriterFQDN, ve.WriterPort)
	reader := throughEndpoint(primary, ve.ReaderFQDN, ve.ReaderPort)
	t.Run("before: the writer writes, the reader refuses writes with 25006", func(t *testing.T) {
		if err := writer.Exec(ctx, "create table through(n int); insert into through values (1)"); err != nil {
			t.Fatal(err)
		}
		// The replica is asynchronous: the table reaches it a moment later.
		if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error {
			_, err := reader.QueryString(ctx, "select count(*)::text from through")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if code := pgCode(reader.Exec(ctx, "insert into through values (2)")); code != "25006" {
			t.Fatalf("write through the reader: SQLSTATE %q; want 25006", code)
		}
	})
	t.Run("the reader enforces its target's firewall", func(t *testing.T) {
		do(c.DeleteFirewallRule(ctx, "it-pp-b", "local"))
		if _, err := reader.QueryString(ctx, "select 1"); err == nil {
			t.Fatal("the reader let the test in with no firewall rule on its target")
		}
		do(c.PutFirewallRule(ctx, "it-pp-b", model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
		if _, err := reader.QueryString(ctx, "select 1"); err != nil {
			t.Fatalf("the reader with the rule back: %v", err)
		}
	})

	l, err := ledger.Run(ctx, ledger.Config{DSN: endpointDSN(t, primary, ve.WriterPort), Writers: 16, Rate: 200})
	if err != nil {
		t.Fatal(err)
	}
	mgmt := managementDSNs(t, cloud.Home)
	instances := map[string]string{}
	for _, s := range []string{"it-pp-a", "it-pp-b"} {
		for in, dsn := range mgmt(t, cloud, s) {
			instances[s+"/"+in] = dsn
		}
	}
	sampler, err := ledger.StartSampler(ctx, ledger.SamplerConfig{Instances: instances, ProbeWrite: true, Clock: l.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		if n := len(l.Attempts()); n < 300 {
			return fmt.Errorf("%d attempts so far", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	reads := startReads(reader)
	l.MarkFault("promote")
	promoted := promote(t, cloud, c, "it-pp-b", spec.ReplicationRolePrimary, spec.PromoteOptionPlanned)
	promotedAt := time.Now()
	// Writes flow again through the writer endpoint before the run ends.
	acked := func() int {
		n := 0
		for _, a := range l.Attempts() {
			if a.Outcome == ledger.Acked {
				n++
			}
		}
		return n
	}
	after := acked()
	if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		if n := acked(); n < after+200 {
			return fmt.Errorf("%d acked since the promotion", n-after)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sampler.Stop()
	before, after := reads.stop(promotedAt)
	t.Logf("reads through the reader endpoint: %d before the promotion ended, %d after", before, after)
	if before == 0 || after == 0 {
		t.Fatalf("the reader endpoint served %d reads before and %d after the promotion; want some on both sides", before, after)
	}
	stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := l.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	dsn := endpointDSN(t, primary, ve.WriterPort)
	if _, err := l.Resolve(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	r, err := l.Check(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("through the writer endpoint:\n%s", r.Summary())
	if !r.OK() || r.Acked == 0 {
		t.Fatalf("planned promotion to primary: %d lost, %d phantom, %d duplicate of %d acked", len(r.Lost), len(r.Phantom), len(r.Duplicates), r.Acked)
	}
	// The writer endpoint never reached an instance in recovery: no attempt was refused as read-only.
	for _, a := range l.Attempts() {
		if pgCode(a.Err) == "25006" {
			t.Fatalf("a write through the writer endpoint reached a read-only instance: %v", a.Err)
		}
	}
	if two := sampler.TwoWriters(); len(two) > 0 {
		t.Fatalf("two servers acknowledged writes at once: %v", two)
	}
	if promoted.LastPromotion.LagBytes != 0 {
		t.Errorf("planned promotion reports lag %d", promoted.LastPromotion.LagBytes)
	}

	t.Run("roles swapped, endpoints moved as seed 004's table says", func(t *testing.T) {
		a, errA := c.GetServer(ctx, "it-pp-a")
		b, errB := c.GetServer(ctx, "it-pp-b")
		if errA != nil || errB != nil || a.ReplicaOf != spec.ServerID("it-pp-b") || a.ReplicationState != spec.ReplicationStateActive ||
			b.ReplicaOf != "" || !slices.Equal(b.Replicas, []string{spec.ServerID("it-pp-a")}) {
			t.Fatalf("a %+v (%v)\nb %+v (%v)", a, errA, b, errB)
		}
		ve, err := c.GetVirtualEndpoint(ctx, "it-pp-a", "it-pp-ve")
		if err != nil || ve.WriterServerID != spec.ServerID("it-pp-b") || ve.ReaderServerID != spec.ServerID("it-pp-a") ||
			ve.SourceServerID != spec.ServerID("it-pp-a") || ve.ReplicaServerID != spec.ServerID("it-pp-b") {
			t.Fatalf("virtual endpoint after the promotion %+v %v", ve, err)
		}
	})
	t.Run("the old primary streams from the promoted server and refuses writes", func(t *testing.T) {
		if err := writer.Exec(ctx, "insert into through values (3)"); err != nil {
			t.Fatal(err)
		}
		old := serverConn(t, c, "it-pp-a")
		if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error {
			n, err := old.QueryString(ctx, "select count(*)::text from through where n = 3")
			if err == nil && n != "1" {
				err = errors.New("the row written on the new primary is not on the old one yet")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if code := pgCode(reader.Exec(ctx, "insert into through values (4)")); code != "25006" {
			t.Fatalf("write through the reader (now the old primary): SQLSTATE %q; want 25006", code)
		}
		if code := pgCode(old.Exec(ctx, "insert into through values (5)")); code != "25006" {
			t.Fatalf("write on the old primary: SQLSTATE %q; want 25006", code)
		}
	})
	t.Run("the roles swap back", func(t *testing.T) { swapBack(t, c, "it-pp-b", "it-pp-a", "it-pp-ve", writer, reader) })
}

// swapBack sets replication_role back to AsyncReplica on a replica promoted to primary server, which
// promotes the old primary again, and checks the roles and the endpoint went back.
func swapBack(t *testing.T, c *client.Client, promoted, old, endpoint string, writer, reader cloudtest.Conn) {
	t.Helper()
	ctx := context.Background()
	rep, err := c.GetServer(ctx, promoted)
	if err != nil {
		t.Fatal(err)
	}
	rep.ReplicationRole, rep.PromoteOption = spec.ReplicationRoleAsyncReplica, spec.PromoteOptionPlanned
	waiter(t, c)(c.PutServer(ctx, promoted, *rep, false))
	a, errA := c.GetServer(ctx, old)
	b, errB := c.GetServer(ctx, promoted)
	if errA != nil || errB != nil || a.ReplicaOf != "" || b.ReplicaOf != spec.ServerID(old) ||
		b.ReplicationRole != spec.ReplicationRoleAsyncReplica || b.ReplicationState != spec.ReplicationStateActive {
		t.Fatalf("after the swap back: %s %+v (%v)\n%s %+v (%v)", old, a, errA, promoted, b, errB)
	}
	ve, err := c.GetVirtualEndpoint(ctx, old, endpoint)
	if err != nil || ve.WriterServerID != spec.ServerID(old) || ve.ReaderServerID != spec.ServerID(promoted) {
		t.Fatalf("virtual endpoint after the swap back %+v %v", ve, err)
	}
	if err := writer.Exec(ctx, "insert into through values (6)"); err != nil {
		t.Fatalf("write through the writer after the swap back: %v", err)
	}
	if code := pgCode(reader.Exec(ctx, "insert into through values (7)")); code != "25006" {
		t.Fatalf("write through the reader after the swap back: SQLSTATE %q; want 25006", code)
	}
}

// readLoad reads through an endpoint every 20 ms and remembers when each read succeeded.
type readLoad struct {
	stopped chan struct{}
	done    chan []time.Time
}

func startReads(conn cloudtest.Conn) *readLoad {
	r := &readLoad{stopped: make(chan struct{}), done: make(chan []time.Time, 1)}
	go func() {
		var ok []time.Time
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if _, err := conn.QueryString(ctx, "select count(*)::text from through"); err == nil {
				ok = append(ok, time.Now())
			}
			cancel()
			select {
			case <-r.stopped:
				r.done <- ok
				return
			case <-tick.C:
			}
		}
	}()
	return r
}

// stop ends the reads and counts the successful ones before and after at.
func (r *readLoad) stop(at time.Time) (before, after int) {
	close(r.stopped)
	for _, t := range <-r.done {
		if t.Before(at) {
			before++
		} else {
			after++
		}
	}
	return before, after
}
