package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// gpServer creates a public GeneralPurpose server without HA that the test's address may reach.
func gpServer(t *testing.T, c *client.Client, name string) cloudtest.Conn {
	t.Helper()
	ctx := context.Background()
	do := waiter(t, c)
	do(c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Zone: "1", Version: "15",
		SKUName: "GP_Standard_D2s_v3", AdministratorLogin: "pgadmin", AdministratorPassword: canary}, true))
	do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
	return serverConn(t, c, name)
}

// serverConn is how the test reaches a server as its admin, through its host endpoint.
func serverConn(t *testing.T, c *client.Client, name string) cloudtest.Conn {
	t.Helper()
	ctx := context.Background()
	srv, err := c.GetServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := c.GetCACertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cloudtest.Conn{Server: srv, User: "pgadmin", Password: canary, CAPEM: ca}
}

// putReplica asks for a read replica of source with the cloud's defaults for everything else.
func putReplica(ctx context.Context, c *client.Client, name, source string) (*model.Operation, error) {
	return c.PutServer(ctx, name, model.Server{Name: name, CreateMode: spec.CreateModeReplica,
		SourceServerID: spec.ServerID(source)}, true)
}

// TestReadReplica creates a replica of a server holding data and checks it where a user would: the data
// and the inherited admin and firewall rule are there, writes fail with 25006, replication_state walked
// seed 004's create order, the primary refused management operations while serving writes during the
// create, a primary with replicas cannot be deleted, and deleting the replica leaves no slot behind.
func TestReadReplica(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	primary := gpServer(t, c, "it-rr-primary")
	if err := primary.Exec(ctx, "create table kept(n int); insert into kept select generate_series(1, 10000)"); err != nil {
		t.Fatal(err)
	}

	states := watchStates(t, c, "it-rr-replica", func(s model.Server) string { return s.ReplicationState })
	start := time.Now()
	op, err := putReplica(ctx, c, "it-rr-replica", "it-rr-primary")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the primary is Updating: management refused, data served", func(t *testing.T) {
		_, err := c.PutFirewallRule(ctx, "it-rr-primary", model.FirewallRule{Name: "later", StartIPAddress: "10.0.0.1", EndIPAddress: "10.0.0.1"})
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Message, "it-rr-replica") {
			t.Fatalf("firewall rule on the primary during the replica's create: %v; want a 409 naming the replica", err)
		}
		t.Logf("refused: %s", apiErr.Message)
		srv, err := c.GetServer(ctx, "it-rr-primary")
		if err != nil || srv.State != "Updating" {
			t.Fatalf("primary state %v %v; want Updating", srv, err)
		}
		if err := primary.Exec(ctx, "insert into kept values (10001)"); err != nil {
			t.Fatalf("write on the primary while it is Updating: %v", err)
		}
	})
	do(op, nil)
	t.Logf("replica create → Active: %s", time.Since(start))
	states.expect(t, spec.ReplicationStateProvisioning, spec.ReplicationStateUpdating, spec.ReplicationStateCatchup, spec.ReplicationStateActive)

	rep, err := c.GetServer(ctx, "it-rr-replica")
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReplicaOf != spec.ServerID("it-rr-primary") || rep.ReplicationRole != spec.ReplicationRoleAsyncReplica ||
		rep.SKUName != "GP_Standard_D2s_v3" || rep.AdministratorLogin != "pgadmin" || rep.Version != "15" {
		t.Fatalf("replica reads back %+v", rep)
	}
	if p, _ := c.GetServer(ctx, "it-rr-primary"); p.State != "Ready" || len(p.Replicas) != 1 || p.ReplicaCapacity != spec.MaxReplicas-1 {
		t.Fatalf("primary after the create: state %s, replicas %v, capacity %d", p.State, p.Replicas, p.ReplicaCapacity)
	}
	replica := serverConn(t, c, "it-rr-replica") // reachable: it inherited the firewall rule

	t.Run("the replica has the data and follows the primary", func(t *testing.T) {
		if err := primary.Exec(ctx, "insert into kept values (10002)"); err != nil {
			t.Fatal(err)
		}
		if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error {
			n, err := replica.QueryString(ctx, "select count(*)::text from kept")
			if err == nil && n != "10002" {
				err = fmt.Errorf("%s rows", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("writes on the replica fail with 25006", func(t *testing.T) {
		err := replica.Exec(ctx, "insert into kept values (0)")
		if code := pgCode(err); code != "25006" {
			t.Fatalf("write on the replica: %v (SQLSTATE %q); want 25006 read_only_sql_transaction", err, code)
		}
	})
	t.Run("lag you can watch", func(t *testing.T) {
		ins, err := cloud.Controller().Instances("it-rr-replica")
		if err != nil || len(ins) != 1 {
			t.Fatalf("replica instances %v %v", ins, err)
		}
		replicaLag := func() float64 {
			var secs float64
			if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error {
				m, err := c.GetServerMetrics(ctx, "it-rr-replica")
				if err == nil && m.ReadReplicaLagSeconds == nil {
					err = errors.New("no read_replica_lag_seconds yet")
				}
				if err == nil {
					secs = *m.ReadReplicaLagSeconds
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return secs
		}
		if err := primary.Exec(ctx, "insert into kept values (0)"); err != nil {
			t.Fatal(err)
		}
		first := replicaLag()
		// Seconds since the last replayed transaction: it grows while the primary commits nothing.
		if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error {
			if now := replicaLag(); now < first+1.5 {
				return fmt.Errorf("read_replica_lag_seconds %.2f, first %.2f", now, first)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		primaryLag := func() int64 {
			m, err := c.GetServerMetrics(ctx, "it-rr-primary")
			if err != nil || m.MaxPhysicalReplicationLagBytes == nil {
				t.Fatalf("primary metrics %+v %v", m, err)
			}
			return *m.MaxPhysicalReplicationLagBytes
		}
		superuser(t, ins[0].Container, "select pg_wal_replay_pause()")
		prev := primaryLag()
		for i := 0; i < 3; i++ {
			if err := primary.Exec(ctx, "insert into kept select generate_series(1, 1000)"); err != nil {
				t.Fatal(err)
			}
			lag := primaryLag()
			if lag <= prev {
				t.Fatalf("lag %d bytes after more writes with replay paused; was %d", lag, prev)
			}
			prev = lag
		}
		t.Logf("max_physical_replication_lag_bytes with replay paused: %d", prev)
		superuser(t, ins[0].Container, "select pg_wal_replay_resume()")
		took, err := cloudtest.Eventually(ctx, 5*time.Second, func() error {
			if lag := primaryLag(); lag != 0 {
				return fmt.Errorf("lag %d bytes", lag)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("lag back to 0 bytes %s after replay resumed", took)
	})
	t.Run("a replica cut off from its primary is Broken, and Active again", func(t *testing.T) {
		state := func(want string) time.Duration {
			took, err := cloudtest.Eventually(ctx, 30*time.Second, func() error {
				s, err := c.GetServer(ctx, "it-rr-replica")
				if err == nil && s.ReplicationState != want {
					err = fmt.Errorf("replication_state %s", s.ReplicationState)
				}
				return err
			})
			if err != nil {
				t.Fatalf("want %s: %v", want, err)
			}
			return took
		}
		// Both servers stay up, but the primary loses the replica's slot (seed 004: the service may drop a
		// lagging slot): the replica cannot stream.
		ins, err := cloud.Controller().Instances("it-rr-primary")
		if err != nil {
			t.Fatal(err)
		}
		const slot = "'flexpg_rr_it_rr_replica'"
		// The walreceiver reconnects at once, so the drop is retried until it wins the race.
		superuser(t, ins[0].Container, `DO $$ BEGIN
			FOR i IN 1..100 LOOP
				PERFORM pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = `+slot+` AND active_pid IS NOT NULL;
				BEGIN
					PERFORM pg_drop_replication_slot(`+slot+`);
					RETURN;
				EXCEPTION WHEN object_in_use THEN
					PERFORM pg_sleep(0.02);
				END;
			END LOOP;
			RAISE EXCEPTION 'the slot stayed in use';
		END $$`)
		t.Logf("Broken %s after the slot was dropped", state(spec.ReplicationStateBroken).Round(time.Millisecond))
		superuser(t, ins[0].Container, "select pg_create_physical_replication_slot("+slot+", true)")
		t.Logf("Active %s after it was back", state(spec.ReplicationStateActive).Round(time.Millisecond))
	})
	t.Run("a primary with replicas cannot be deleted", func(t *testing.T) {
		_, err := c.DeleteServer(ctx, "it-rr-primary")
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Message, "it-rr-replica") {
			t.Fatalf("delete of the primary: %v; want a 409 naming its replica", err)
		}
	})
	t.Run("deleting the replica leaves no slot", func(t *testing.T) {
		slots := func() string {
			s, err := primary.QueryString(ctx, "select coalesce(string_agg(slot_name, ','), '') from pg_replication_slots")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := slots(); !strings.Contains(s, "flexpg_rr_it_rr_replica") {
			t.Fatalf("slots on the primary %q; want the replica's", s)
		}
		do(c.DeleteServer(ctx, "it-rr-replica"))
		if s := slots(); s != "" {
			t.Fatalf("slots left on the primary after the replica's delete: %q", s)
		}
		do(c.DeleteServer(ctx, "it-rr-primary"))
	})
}

// superuser runs sql in the instance's container as the cloud's internal superuser, over the local socket:
// what a test needs and no user can do (pausing replay).
func superuser(t *testing.T, container, sql string) string {
	t.Helper()
	out, err := exec.Command("docker", "exec", "-u", "postgres", container, "psql", "-XAt", "-U", "azuresu", "-d", "postgres", "-c", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("%s in %s: %v: %s", sql, container, err, out)
	}
	return strings.TrimSpace(string(out))
}
