package daemon_test

import (
	"context"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/ledger"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// rpoBound is BAR-P3's promise: a restore to the latest time of a server that was lost holds every commit
// older than archive_timeout + 10 s.
const rpoBound = spec.ArchiveTimeout + 10*time.Second

// TestRestoreToLatestOfLostServer is BAR-P3: writers commit to a server without HA for longer than
// rpoBound, then its primary freezes (a paused container: nothing more reaches the archive, and the cloud
// cannot seal it), and the server is restored to the moment of the loss. Every acknowledged commit older
// than rpoBound at the loss is in the restored server, no row appears that was not attempted, none twice.
// The commits it lacks are the newest ones only, and the test prints how far back the archive reached.
func TestRestoreToLatestOfLostServer(t *testing.T) {
	needDocker(t)
	_, c := startCloud(t)
	ctx := context.Background()
	do := waiter(t, c)
	const name = "it-bk-rpo"
	admin := smallServer(t, c, name, nil)
	awaitBackups(t, c, name, 1)
	l, err := ledger.Run(ctx, ledger.Config{DSN: writerDSN(t, admin), Writers: 2, Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	// The writers run for the bound and 20 s more, so that the run holds commits on both sides of it.
	select {
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	case <-time.After(rpoBound + 20*time.Second):
	}
	loss := l.MarkFault("pause")
	if _, err := c.InjectFault(ctx, model.Fault{Action: model.FaultPause, Server: name}); err != nil {
		t.Fatal(err)
	}
	lostAt := time.Now()
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	do(restoreTo(ctx, c, name+"-r", name, lostAt, nil))
	t.Logf("restored to the loss in %s", time.Since(started).Round(time.Millisecond))
	report, err := l.Check(ctx, writerDSN(t, serverConn(t, c, name+"-r")))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report.Summary())
	if len(report.Phantom) != 0 || len(report.Duplicates) != 0 {
		t.Fatalf("the restored server holds rows never acknowledged or attempted %v, or twice %v", report.Phantom, report.Duplicates)
	}
	ends := map[ledger.Key]time.Duration{}
	var newestKept time.Duration
	lost := map[ledger.Key]bool{}
	for _, k := range report.Lost {
		lost[k] = true
	}
	for _, a := range l.Attempts() {
		ends[a.Key] = a.End
		if a.Outcome == ledger.Acked && !lost[a.Key] && a.End > newestKept {
			newestKept = a.End
		}
	}
	for _, k := range report.Lost {
		if age := loss.At - ends[k]; age > rpoBound {
			t.Errorf("commit %s, acknowledged %s before the loss, is not in the restore (bound %s)", k, age.Round(time.Millisecond), rpoBound)
		}
	}
	if report.Acked-len(report.Lost) == 0 {
		t.Fatalf("the restore holds none of the %d acknowledged commits", report.Acked)
	}
	t.Logf("archive RPO: the newest commit restored was acknowledged %s before the loss; %d of %d acknowledged commits are in the restore (bound %s)",
		(loss.At - newestKept).Round(time.Millisecond), report.Acked-len(report.Lost), report.Acked, rpoBound)
}
