package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// runningOp waits for a running operation of kind at step.
func runningOp(t *testing.T, c *client.Client, kind, step string) model.Operation {
	t.Helper()
	ctx := context.Background()
	var found model.Operation
	if _, err := cloudtest.Eventually(ctx, 2*time.Minute, func() error {
		ops, err := c.ListOperations(ctx, model.OperationRunning)
		if err != nil {
			return err
		}
		for _, o := range ops {
			if o.Kind == kind && o.Step == step {
				found = o
				return nil
			}
		}
		return errors.New("no " + kind + " at step " + step)
	}); err != nil {
		t.Fatal(err)
	}
	return found
}

// resumed waits for an operation the restarted cloud resumes and fails unless it succeeded.
func resumed(t *testing.T, c *client.Client, op model.Operation) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if done, err := c.Wait(ctx, &op, nil); err != nil || done.Status != model.OperationSucceeded {
		t.Fatalf("resumed %s: %+v %v", op.Kind, done, err)
	}
}

// cleanStatus fails when the cloud has objects without an owner, or operations still running once the
// ones a success starts (a restored server's first full backup) had a minute to finish.
func cleanStatus(t *testing.T, c *client.Client, when string) {
	t.Helper()
	ctx := context.Background()
	if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		st, err := c.Status(ctx)
		switch {
		case err != nil:
			return err
		case len(st.Unowned) != 0:
			t.Fatalf("status %s: unowned %+v", when, st.Unowned)
		case st.RunningOperations != 0:
			return fmt.Errorf("%d operations still running", st.RunningOperations)
		}
		return nil
	}); err != nil {
		t.Fatalf("status %s: %v", when, err)
	}
}

// TestSIGKILLDuringRestore kills the real cloud process while a point-in-time restore is before its copy
// of the full backup, its recovery and its opening on a new timeline. After a restart the restore
// finishes, exact to its target, and nothing is left without an owner, after the restored server's delete
// either.
func TestSIGKILLDuringRestore(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	for _, killAt := range []string{"restoreCopy", "recover", "open"} {
		t.Run("kill at "+killAt, func(t *testing.T) {
			p, c := startCloudProcess(t, bin, killAt)
			ctx := context.Background()
			src := smallServer(t, c, "crash-src", nil)
			awaitBackups(t, c, "crash-src", 1)
			if err := src.Exec(ctx, "create table ledger(id int); insert into ledger values (1)"); err != nil {
				t.Fatal(err)
			}
			target := serverNow(t, ctx, src)
			time.Sleep(20 * time.Millisecond)
			if err := src.Exec(ctx, "insert into ledger values (2)"); err != nil {
				t.Fatal(err)
			}
			if _, err := restoreTo(ctx, c, "crash-r", "crash-src", target, nil); err != nil {
				t.Fatal(err)
			}
			op := runningOp(t, c, "server.restore", killAt)
			p.kill()
			c = p.start("")
			resumed(t, c, op)
			got, err := serverConn(t, c, "crash-r").QueryString(ctx, "select string_agg(id::text, ',' order by id) from ledger")
			if err != nil || got != "1" {
				t.Fatalf("the resumed restore holds rows %q (%v), want 1", got, err)
			}
			cleanStatus(t, c, "after the resumed restore")
			do := waiter(t, c)
			do(c.DeleteServer(ctx, "crash-r"))
			do(c.DeleteServer(ctx, "crash-src"))
			st, _ := c.Status(ctx)
			if left := leftOver(st); len(left) != 0 {
				t.Fatalf("left after deleting both: %+v", left)
			}
		})
	}
}

// TestSIGKILLDuringFullBackup kills the cloud while a server's first full backup runs (its firewall rule
// having gone in meanwhile); after a restart the backup is taken and listed, and nothing is left without
// an owner.
func TestSIGKILLDuringFullBackup(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	p, c := startCloudProcess(t, bin, "fullBackup")
	// The firewall rule goes in while the backup is paused: a backup holds up none of its server's operations.
	smallServer(t, c, "crash-bk", nil)
	op := runningOp(t, c, "server.backup", "fullBackup")
	p.kill()
	c = p.start("")
	resumed(t, c, op)
	list := awaitBackups(t, c, "crash-bk", 1)
	if len(list.Value) != 1 || list.Value[0].SizeBytes == 0 || list.EarliestRestoreTime == "" {
		t.Fatalf("backups after the resumed backup: %+v", list)
	}
	cleanStatus(t, c, "after the resumed backup")
}
