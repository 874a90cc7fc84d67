package daemon_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/ledger"
)

// drill is one kind of fault of the failover drill and how many times a round performs it.
type drill struct {
	name  string
	times int
	do    func(t *testing.T, ctx context.Context)
}

// drillRounds is how many rounds TestFailoverDrills runs: 1 in `make test`, more for `make reliability`
// (FLEXPG_DRILL_ROUNDS).
func drillRounds(t *testing.T) int {
	n, err := strconv.Atoi(os.Getenv("FLEXPG_DRILL_ROUNDS"))
	if err != nil || n < 1 {
		return 1
	}
	t.Logf("%d rounds (FLEXPG_DRILL_ROUNDS)", n)
	return n
}

// TestFailoverDrills runs 16 writers with a ledger of every commit's outcome through the server's endpoint
// while the primary is killed, paused and cut off, and planned and forced failovers run (BAR-D1..D3, F1..F3).
// After every fault the cloud must be Healthy again with the old primary as its standby; at the end, once
// unknown outcomes are resolved on the final primary: no acknowledged commit lost, no row that was never
// attempted or that definitely failed, no duplicate, and never two instances acknowledging writes (a
// sampler writes to each instance directly every 100 ms).
func TestFailoverDrills(t *testing.T) {
	needDocker(t)
	cloud, c := startCloud(t)
	ctx := context.Background()
	name := "it-drill"
	admin := haServer(t, c, name)
	awaitHA(t, c, name)
	dsn := writerDSN(t, admin)
	l, err := ledger.Run(ctx, ledger.Config{DSN: dsn, Writers: 16, Rate: 250})
	if err != nil {
		t.Fatal(err)
	}
	mgmt := managementDSNs(t, cloud.Home)
	instance := func(role string) string {
		ins, err := cloud.Controller().Instances(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range ins {
			if in.Role == role {
				return in.Name
			}
		}
		t.Fatalf("no %s instance", role)
		return ""
	}
	fault := func(action string) func(t *testing.T, ctx context.Context) {
		return func(t *testing.T, ctx context.Context) {
			t.Helper()
			if _, err := c.InjectFault(ctx, model.Fault{Action: action, Server: name}); err != nil {
				t.Fatal(err)
			}
		}
	}
	failover := func(mode string) func(t *testing.T, ctx context.Context) {
		return func(t *testing.T, ctx context.Context) { waiter(t, c)(c.FailoverServer(ctx, name, mode)) }
	}
	drills := []drill{
		{"kill", 5, fault(model.FaultKill)},
		{"pause", 2, fault(model.FaultPause)},
		{"isolate", 2, fault(model.FaultIsolate)},
		{"planned", 3, failover(model.FailoverPlanned)},
		{"forced", 2, failover(model.FailoverForced)},
	}
	var twoWriters []ledger.Overlap
	failovers := 0
	for round := 0; round < drillRounds(t); round++ {
		for _, d := range drills {
			for i := 0; i < d.times; i++ {
				before := instance("primary")
				sampler, err := ledger.StartSampler(ctx, ledger.SamplerConfig{Instances: mgmt(t, cloud, name),
					ProbeWrite: true, Clock: l.Clock()})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				l.MarkFault(d.name)
				d.do(t, ctx)
				if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
					if after := instance("primary"); after == before {
						return fmt.Errorf("the primary is still instance %s", before)
					}
					return nil
				}); err != nil {
					t.Fatalf("%s %d: %v", d.name, i+1, err)
				}
				srv := awaitHA(t, c, name)
				sampler.Stop()
				twoWriters = append(twoWriters, sampler.TwoWriters()...)
				failovers++
				t.Logf("%s %d: Healthy again after %s, primary in zone %s", d.name, i+1, time.Since(start).Round(time.Millisecond), srv.Zone)
			}
		}
	}
	stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := l.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Resolve(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	r, err := l.Check(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d failovers\n%s", failovers, r.Summary())
	if !r.OK() {
		t.Fatalf("durability broken: %d lost, %d phantom, %d duplicate", len(r.Lost), len(r.Phantom), len(r.Duplicates))
	}
	if r.Acked == 0 {
		t.Fatal("no commit was acknowledged: the drill measured nothing")
	}
	if len(twoWriters) > 0 {
		t.Fatalf("two instances acknowledged writes at once: %+v", twoWriters[0])
	}
}

// writerDSN is the libpq connection string of the server's host endpoint, verified against the cloud CA.
func writerDSN(t *testing.T, admin cloudtest.Conn) string {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, []byte(admin.CAPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s password=%s dbname=postgres sslmode=verify-full sslrootcert=%s",
		admin.Server.Port, admin.User, admin.Password, ca)
}

// managementDSNs returns a function giving a DSN for each instance of a server at its current address, as
// the cloud's management role (a client certificate from the cloud's CA, which the test reads from the
// cloud's home): the sampler must reach each instance itself, not the endpoint that follows the primary.
func managementDSNs(t *testing.T, home string) func(t *testing.T, cloud *cloudtest.Cloud, server string) map[string]string {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(filepath.Join(home, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueClient("azuresu")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{"ca.crt": ca.CertPEM(), "client.crt": certPEM, "client.key": keyPEM}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(t *testing.T, cloud *cloudtest.Cloud, server string) map[string]string {
		t.Helper()
		ins, err := cloud.Controller().Instances(server)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, in := range ins {
			info, err := cloud.Runtime().InspectContainer(context.Background(), in.Container)
			if err != nil {
				continue
			}
			for _, ip := range info.IPs {
				out[in.Name] = fmt.Sprintf("host=%s port=5432 user=azuresu dbname=postgres sslmode=verify-ca sslrootcert=%s sslcert=%s sslkey=%s",
					ip, filepath.Join(dir, "ca.crt"), filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key"))
			}
		}
		return out
	}
}
