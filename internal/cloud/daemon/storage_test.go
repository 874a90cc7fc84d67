package daemon_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/daemon"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestStorageGuard fills a server to 95% of its storage and checks the service's rule from a client: writes
// fail as read-only; with auto-grow on, storage_mb grows to the next size and writes work again. Storage is
// scaled down (32768 MB → 64 MiB) so a few megabytes reach the threshold.
func TestStorageGuard(t *testing.T) {
	needDocker(t)
	ctx := context.Background()
	_, c := startScaledCloud(t, 512)
	do := waiter(t, c)
	name := "it-storage"
	do(c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Version: "15", SKUName: "B_Standard_B1ms",
		AdministratorLogin: "pgadmin", AdministratorPassword: canary}, true))
	do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
	srv, _ := c.GetServer(ctx, name)
	ca, _ := c.GetCACertificate(ctx)
	admin := cloudtest.Conn{Server: srv, User: "pgadmin", Password: canary, CAPEM: ca}
	if err := admin.Exec(ctx, "create table filler(pad text)"); err != nil {
		t.Fatal(err)
	}
	// housekeep runs the storage guard now instead of at its next tick.
	housekeep := func() {
		if _, err := c.AdvanceClock(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	fill := "insert into filler select repeat(md5(random()::text), 32) from generate_series(1, 2000)" // ~2 MB
	var writeErr error
	for i := 0; i < 60 && writeErr == nil; i++ {
		writeErr = admin.Exec(ctx, fill)
		housekeep()
	}
	if pgCode(writeErr) != "25006" {
		t.Fatalf("want a read-only refusal (25006) once storage is 95%% full, got %v", writeErr)
	}
	if v, err := admin.QueryString(ctx, "show default_transaction_read_only"); err != nil || v != "on" {
		t.Fatalf("default_transaction_read_only = %q %v", v, err)
	}

	s, _ := c.GetServer(ctx, name)
	s.AutoGrowEnabled, s.State = true, "Ready"
	do(c.PutServer(ctx, name, *s, false))
	housekeep()
	waitCtx, cancelWait := context.WithTimeout(ctx, time.Minute)
	defer cancelWait()
	grown, err := c.WaitServerState(waitCtx, name, func(s *model.Server) bool { return s.StorageMB == 65536 && s.State == "Ready" })
	if err != nil {
		t.Fatal(err)
	}
	if grown.StorageTier != "P6" {
		t.Fatalf("tier after growing: %s", grown.StorageTier)
	}
	if _, err := cloudtest.Eventually(ctx, 30*time.Second, func() error {
		housekeep()
		if err := admin.Exec(ctx, "insert into filler values ('after growing')"); err != nil {
			return fmt.Errorf("still refused: %w", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// startScaledCloud starts a cloud whose storage is scaled down by divisor, so a few megabytes reach the
// storage guard's thresholds.
func startScaledCloud(t *testing.T, divisor float64) (*cloudtest.Cloud, *client.Client) {
	t.Helper()
	startCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	scale := spec.DefaultScale
	scale.StorageDivisor = divisor
	cloud, err := cloudtest.StartWith(startCtx, t.TempDir(), func(cfg *daemon.Config) { cfg.Scale = &scale })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cloud.Stop() })
	return cloud, client.New(cloud.Endpoint(), cloud.Token(), client.WithPollInterval(100*time.Millisecond, 500*time.Millisecond))
}
