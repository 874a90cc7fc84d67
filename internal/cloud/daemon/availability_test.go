package daemon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// TestBuiltInAvailability is seed 002's "availability without zone redundant HA": when a server's container
// dies, is removed or hangs, the cloud brings it back on the same volume by itself, committed data is there,
// and clients reconnect to the same endpoint. Every fault comes from outside the cloud (the docker CLI), and
// the operations users run meanwhile work.
func TestBuiltInAvailability(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	name := "it-avail"
	do := waiter(t, c)
	admin := catalogServer(t, c, name, "15")
	if err := admin.Exec(ctx, "create table kept(n int); insert into kept values (1)"); err != nil {
		t.Fatal(err)
	}
	container := cloud.Controller().ContainerName(name)
	docker := func(args ...string) { t.Helper(); docker(t, args...) }
	// back waits until the same endpoint answers with the committed rows, and returns how long it took.
	back := func(want string) time.Duration {
		t.Helper()
		took, err := cloudtest.Eventually(ctx, 30*time.Second, func() error {
			got, err := admin.QueryString(ctx, "select string_agg(n::text, ',' order by n) from kept")
			if err == nil && got != want {
				t.Fatalf("rows after recovery: %q, want %q", got, want)
			}
			return err
		})
		if err != nil {
			t.Fatalf("the server did not come back on its endpoint: %v", err)
		}
		settled(t, c)
		return took
	}

	t.Run("a killed container comes back with its data", func(t *testing.T) {
		docker("kill", container)
		t.Logf("killed container: answering again after %s", back("1"))
		if err := admin.Exec(ctx, "insert into kept values (2)"); err != nil {
			t.Fatal(err)
		}
		if got := recoveries(t, c, name); got != 1 {
			t.Fatalf("%d recover operations succeeded, want 1", got)
		}
	})

	t.Run("a removed container is created again around its volume", func(t *testing.T) {
		docker("rm", "-f", container)
		t.Logf("removed container: answering again after %s", back("1,2"))
	})

	t.Run("a hung container is killed and started again", func(t *testing.T) {
		docker("pause", container)
		t.Logf("paused container: answering again after %s", back("1,2"))
	})

	t.Run("the view follows reality while the server is down", func(t *testing.T) {
		docker("kill", container)
		_, err := cloudtest.Eventually(ctx, 5*time.Second, func() error {
			s, err := c.GetServer(ctx, name)
			if err == nil && s.State == "Ready" && s.ProvisioningState == "Succeeded" {
				return errors.New("still reported Ready")
			}
			return err
		})
		if err != nil {
			t.Fatalf("a killed server is still reported Ready: %v", err)
		}
		back("1,2")
	})

	t.Run("a firewall rule delete works on a killed server", func(t *testing.T) {
		do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "spare", StartIPAddress: "10.9.9.9", EndIPAddress: "10.9.9.9"}))
		docker("kill", container)
		retryBusy(t, c, func() (*model.Operation, error) { return c.DeleteFirewallRule(ctx, name, "spare") })
		back("1,2")
	})

	t.Run("a delete works on a killed server", func(t *testing.T) {
		docker("kill", container)
		retryBusy(t, c, func() (*model.Operation, error) { return c.DeleteServer(ctx, name) })
		st, err := c.Status(ctx)
		if err != nil || len(st.Unowned) != 0 || st.Servers != 0 {
			t.Fatalf("after delete: %+v %v", st, err)
		}
	})
}

// retryBusy runs a mutation until the cloud stops answering ServerBusy (a recovery holds the server for a
// moment), as the provider does, and waits for its operation.
func retryBusy(t *testing.T, c *client.Client, call func() (*model.Operation, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var op *model.Operation
	var err error
	if _, busy := cloudtest.Eventually(ctx, time.Minute, func() error {
		op, err = call()
		if errors.Is(err, client.ErrBusy) {
			return err // a recovery holds the server: ask again
		}
		return nil
	}); busy != nil {
		t.Fatal(busy)
	}
	if _, err := c.Do(ctx, op, err, nil); err != nil {
		t.Fatal(err)
	}
}

// settled waits until the cloud runs no operation: a recovery has finished, not only answered.
func settled(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		ops, err := c.ListOperations(ctx, model.OperationRunning)
		if err == nil && len(ops) > 0 {
			return errors.New(ops[0].Kind + " still running")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func recoveries(t *testing.T, c *client.Client, server string) int {
	t.Helper()
	ops, err := c.ListOperations(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range ops {
		if op.Kind == "server.recover" && op.Status == model.OperationSucceeded && strings.HasSuffix(op.ResourceID, "/"+server) {
			n++
		}
	}
	return n
}
