package daemon_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestSIGKILLDuringFailover kills the real cloud process while an automatic failover is before its fence,
// its promotion and the old primary's rejoin. After a restart the failover finishes: the committed row is
// there on a higher timeline, the pair is Healthy, and nothing is left without an owner.
func TestSIGKILLDuringFailover(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	for _, killAt := range []string{"fence", "promote", "rejoin"} {
		t.Run("kill at "+killAt, func(t *testing.T) {
			p, c := startCloudProcess(t, bin, killAt)
			ctx := context.Background()
			name := "crash-ha"
			admin := haServer(t, c, name)
			awaitHA(t, c, name)
			if err := admin.Exec(ctx, "create table kept(n int); insert into kept values (1)"); err != nil {
				t.Fatal(err)
			}
			before := timeline(t, ctx, admin)
			if _, err := c.InjectFault(ctx, model.Fault{Action: model.FaultKill, Server: name}); err != nil {
				t.Fatal(err)
			}
			var failover model.Operation
			if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
				ops, err := c.ListOperations(ctx, model.OperationRunning)
				if err != nil {
					return err
				}
				for _, o := range ops {
					if o.Kind == "server.failover" && o.Step == killAt {
						failover = o
						return nil
					}
				}
				return errors.New("no failover at step " + killAt)
			}); err != nil {
				t.Fatal(err)
			}
			p.kill()
			c = p.start("")
			waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
			defer cancel()
			done, err := c.Wait(waitCtx, &failover, nil)
			if err != nil || done.Status != model.OperationSucceeded {
				t.Fatalf("resumed failover: %+v %v", done, err)
			}
			srv := awaitHA(t, c, name)
			if srv.Zone != "2" || srv.HAState != spec.HAStateHealthy {
				t.Fatalf("after the resumed failover: zone %s, ha_state %s", srv.Zone, srv.HAState)
			}
			if got, err := admin.QueryString(ctx, "select count(*)::text from kept"); err != nil || got != "1" {
				t.Fatalf("rows after the failover: %q %v", got, err)
			}
			if after := timeline(t, ctx, admin); after <= before {
				t.Fatalf("timeline %s after the failover, %s before", after, before)
			}
			cleanStatus(t, c, "after the resumed failover")
			waiter(t, c)(c.DeleteServer(ctx, name))
		})
	}
}
