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

// haServer creates a public GeneralPurpose server with ZoneRedundant HA that the test's address may reach.
func haServer(t *testing.T, c *client.Client, name string) cloudtest.Conn {
	t.Helper()
	ctx := context.Background()
	do := waiter(t, c)
	start := time.Now()
	op, err := c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Zone: "1", Version: "15",
		SKUName: "GP_Standard_D2s_v3", AdministratorLogin: "pgadmin", AdministratorPassword: canary,
		HighAvailability: &model.HighAvailability{Mode: spec.HAModeZoneRedundant}}, true)
	states := watchHAStates(t, c, name)
	do(op, err)
	t.Logf("create with HA → Healthy: %s", time.Since(start))
	states.expect(t, spec.HAStateInitializing, spec.HAStateHealthy)
	do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
	return serverConn(t, c, name)
}

// haStates records every value of a state attribute a server reports (ha_state, or another that
// watchStates names), polling every 20 ms, until expect is called.
type haStates struct {
	stop chan struct{}
	done chan []string
}

func watchHAStates(t *testing.T, c *client.Client, name string) *haStates {
	t.Helper()
	return watchStates(t, c, name, func(s model.Server) string { return s.HAState })
}

func watchStates(t *testing.T, c *client.Client, name string, attr func(model.Server) string) *haStates {
	t.Helper()
	w := &haStates{stop: make(chan struct{}), done: make(chan []string, 1)}
	go func() {
		var seen []string
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		sample := func() {
			if s, err := c.GetServer(context.Background(), name); err == nil && (len(seen) == 0 || seen[len(seen)-1] != attr(*s)) {
				seen = append(seen, attr(*s))
			}
		}
		for {
			sample()
			select {
			case <-w.stop:
				sample() // the state the caller saw last, even if it came after the previous tick
				w.done <- seen
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// expect stops the recording and checks that the states appeared in this order (others may come between).
func (w *haStates) expect(t *testing.T, want ...string) {
	t.Helper()
	close(w.stop)
	seen := <-w.done
	i := 0
	for _, s := range seen {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Fatalf("the state went %v; want %v in this order", seen, want)
	}
	t.Logf("the state went %v", seen)
}

// awaitHA waits until the server's ha_state is Healthy and returns the server.
func awaitHA(t *testing.T, c *client.Client, name string) model.Server {
	t.Helper()
	var srv *model.Server
	if _, err := cloudtest.Eventually(context.Background(), 90*time.Second, func() error {
		var err error
		srv, err = c.GetServer(context.Background(), name)
		if err == nil && (srv.HAState != spec.HAStateHealthy || srv.State != "Ready") {
			return fmt.Errorf("ha_state %s, state %s", srv.HAState, srv.State)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	settled(t, c)
	return *srv
}

func timeline(t *testing.T, ctx context.Context, admin cloudtest.Conn) string {
	t.Helper()
	var tl string
	if _, err := cloudtest.Eventually(ctx, 30*time.Second, func() error {
		var err error
		tl, err = admin.QueryString(ctx, "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tl
}

// TestHighAvailability builds a server with a synchronous standby in another zone and fails it over, by
// itself and on demand: after each failover the committed rows are there, the endpoint reaches the new
// primary on a higher timeline, the zones read back swapped, and the old primary is the standby again.
func TestHighAvailability(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	name := "it-ha"
	admin := haServer(t, c, name)
	srv := awaitHA(t, c, name)
	if srv.Zone != "1" || srv.StandbyZone != "2" {
		t.Fatalf("zones %s/%s, want primary 1 and standby 2", srv.Zone, srv.StandbyZone)
	}
	if err := admin.Exec(ctx, "create table kept(n int); insert into kept values (1)"); err != nil {
		t.Fatal(err)
	}
	instances := func() (primary, standby string) {
		ins, err := cloud.Controller().Instances(name)
		if err != nil || len(ins) != 2 {
			t.Fatalf("instances %+v %v", ins, err)
		}
		return ins[0].Container, ins[1].Container
	}

	t.Run("the standby serves no queries", func(t *testing.T) {
		_, standby := instances()
		out, err := exec.Command("docker", "exec", standby, "psql", "-h", "127.0.0.1", "-U", "pgadmin", "-c", "select 1").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "no pg_hba.conf entry") {
			t.Fatalf("a user reached the standby: %v %s", err, out)
		}
	})

	t.Run("the primary waits for the standby", func(t *testing.T) {
		primary, _ := instances()
		out, err := exec.Command("docker", "exec", "-u", "postgres", primary, "psql", "-XAt", "-U", "azuresu", "-d", "postgres", "-c",
			"select application_name || ' ' || state || ' ' || sync_state from pg_stat_replication").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "flexpg_ha_1 streaming sync" {
			t.Fatalf("pg_stat_replication: %v %q", err, out)
		}
	})

	failover := func(t *testing.T, fault func(), wantZone string, rows string) {
		t.Helper()
		before := timeline(t, ctx, admin)
		states := watchHAStates(t, c, name)
		start := time.Now()
		fault()
		if _, err := cloudtest.Eventually(ctx, 60*time.Second, func() error {
			if err := admin.Exec(ctx, "insert into kept select max(n) + 1 from kept"); err != nil {
				return err
			}
			if tl := timeline(t, ctx, admin); tl <= before {
				return errors.New("still on timeline " + tl)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		t.Logf("writes accepted on the new primary %s after the fault", time.Since(start))
		after := awaitHA(t, c, name)
		t.Logf("Healthy again %s after the fault", time.Since(start))
		states.expect(t, spec.HAStateFailingOver, spec.HAStateReplicatingData, spec.HAStateHealthy)
		if after.Zone != wantZone {
			t.Fatalf("primary zone %s, want %s", after.Zone, wantZone)
		}
		got, err := admin.QueryString(ctx, "select string_agg(n::text, ',' order by n) from kept")
		if err != nil || got != rows {
			t.Fatalf("rows %q %v, want %q", got, err, rows)
		}
	}

	t.Run("settings reach the standby", func(t *testing.T) {
		do := waiter(t, c)
		do(c.PutConfiguration(ctx, name, "log_min_duration_statement", "4321"))
		_, standby := instances()
		out, err := exec.Command("docker", "exec", "-u", "postgres", standby, "psql", "-XAt", "-U", "azuresu", "-d", "postgres",
			"-c", "show log_min_duration_statement").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "4321ms" {
			t.Fatalf("on the standby: %v %q", err, out)
		}
		srv, err := c.GetServer(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		srv.AdministratorPassword = canary + "-2"
		do(c.PutServer(ctx, name, *srv, false))
		admin.Password = canary + "-2"
	})
	t.Run("automatic failover when the primary is killed", func(t *testing.T) {
		primary, _ := instances()
		failover(t, func() { docker(t, "kill", primary) }, "2", "1,2")
		// What the user set holds on the new primary: the parameter, the new password, the firewall rule.
		if got, err := admin.QueryString(ctx, "show log_min_duration_statement"); err != nil || got != "4321ms" {
			t.Fatalf("parameter after the failover: %q %v", got, err)
		}
		old := admin
		old.Password = canary
		if _, err := old.QueryString(ctx, "select 1"); pgCode(err) != "28P01" {
			t.Fatalf("the old password after the failover: %v, want 28P01", err)
		}
		other := admin
		other.SourceIP = "127.0.0.2"
		if _, err := other.QueryString(ctx, "select 1"); pgCode(err) != "28000" {
			t.Fatalf("an address no rule allows, after the failover: %v, want 28000", err)
		}
	})
	t.Run("planned failover on demand", func(t *testing.T) {
		failover(t, func() { waiter(t, c)(c.FailoverServer(ctx, name, model.FailoverPlanned)) }, "1", "1,2,3")
	})
	t.Run("forced failover on demand", func(t *testing.T) {
		failover(t, func() { waiter(t, c)(c.FailoverServer(ctx, name, model.FailoverForced)) }, "2", "1,2,3,4")
	})
	t.Run("automatic failover when the primary hangs", func(t *testing.T) {
		primary, _ := instances()
		failover(t, func() { docker(t, "pause", primary) }, "1", "1,2,3,4,5")
	})
	t.Run("writes go on while the standby is down", func(t *testing.T) {
		_, standby := instances()
		docker(t, "kill", standby)
		start := time.Now()
		if _, err := cloudtest.Eventually(ctx, 15*time.Second, func() error {
			return admin.Exec(ctx, "insert into kept select max(n) + 1 from kept")
		}); err != nil {
			t.Fatalf("writes blocked with the standby down: %v", err)
		}
		t.Logf("a write committed %s after the standby was killed", time.Since(start))
		awaitHA(t, c, name)
	})
	t.Run("zone down: the primary's zone", func(t *testing.T) {
		srv, err := c.GetServer(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		down := srv.Zone
		if _, err := c.InjectFault(ctx, model.Fault{Action: model.FaultZoneDown, Location: "westeurope", Zone: down}); err != nil {
			t.Fatal(err)
		}
		if _, err := cloudtest.Eventually(ctx, 60*time.Second, func() error {
			s, err := c.GetServer(ctx, name)
			if err == nil && (s.Zone == down || s.StandbyZone == down || s.HAState != spec.HAStateHealthy) {
				return fmt.Errorf("zone %s, standby %s, ha_state %s", s.Zone, s.StandbyZone, s.HAState)
			}
			return err
		}); err != nil {
			t.Fatalf("with zone %s down: %v", down, err)
		}
		if err := admin.Exec(ctx, "insert into kept select max(n) + 1 from kept"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.InjectFault(ctx, model.Fault{Action: model.FaultZoneUp, Location: "westeurope", Zone: down}); err != nil {
			t.Fatal(err)
		}
		settled(t, c)
	})
	t.Run("a failover is refused while not Healthy", func(t *testing.T) {
		_, standby := instances()
		docker(t, "kill", standby)
		if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error {
			s, err := c.GetServer(ctx, name)
			if err == nil && s.HAState == spec.HAStateHealthy {
				return errors.New("still Healthy")
			}
			return err
		}); err != nil {
			t.Fatalf("the lost standby was not noticed: %v", err)
		}
		// The cloud repairs the standby, which holds the server (409 ServerBusy); a moment without the
		// repair answers 409 Conflict naming the ha_state (TestFailoverRefusals covers each case).
		_, err := c.FailoverServer(ctx, name, model.FailoverPlanned)
		if !errors.Is(err, client.ErrConflict) {
			t.Fatalf("a failover with the standby down: %v, want a 409", err)
		}
		t.Logf("refused: %v", err)
		awaitHA(t, c, name)
	})
	t.Run("disable HA in place", func(t *testing.T) {
		srv, err := c.GetServer(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		srv.HighAvailability = nil
		states := watchHAStates(t, c, name)
		waiter(t, c)(c.PutServer(ctx, name, *srv, false))
		states.expect(t, spec.HAStateRemovingStandby, spec.HAStateNotEnabled)
		if ins, err := cloud.Controller().Instances(name); err != nil || len(ins) != 1 {
			t.Fatalf("instances after disabling HA: %+v %v", ins, err)
		}
		if err := admin.Exec(ctx, "insert into kept select max(n) + 1 from kept"); err != nil {
			t.Fatalf("a write without HA: %v", err)
		}
	})
	t.Run("delete removes every instance", func(t *testing.T) {
		retryBusy(t, c, func() (*model.Operation, error) { return c.DeleteServer(ctx, name) })
		st, err := c.Status(ctx)
		if err != nil || len(st.Unowned) != 0 || st.Servers != 0 {
			t.Fatalf("after delete: %+v %v", st, err)
		}
	})
}

func docker(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
		t.Fatalf("docker %s: %v %s", strings.Join(args, " "), err, out)
	}
}
