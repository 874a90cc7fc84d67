package memcloud_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const password = "Str0ng-Passw0rd!"

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// createServer creates a server through the API and waits for the create to end; it returns the error of
// a failed create.
func createServer(ctx context.Context, c *memcloud.Cloud, name string, edit func(*model.Server)) error {
	s := model.Server{Name: name, Location: "westeurope", SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin",
		AdministratorPassword: password}
	if edit != nil {
		edit(&s)
	}
	op, err := c.Client().PutServer(ctx, name, s, true)
	_, err = c.Client().Do(ctx, op, err, nil)
	return err
}

// withServer starts a cloud with the server demo in it.
func withServer(t *testing.T, edit func(*model.Server)) (*memcloud.Cloud, context.Context) {
	t.Helper()
	c := memcloud.New(t)
	ctx := testContext(t)
	if err := createServer(ctx, c, "demo", edit); err != nil {
		t.Fatal(err)
	}
	return c, ctx
}

func TestCreateServer(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, nil)
	s, err := c.Client().GetServer(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	// The API's own defaults, not the test's.
	if s.State != spec.StateReady || s.Version != spec.DefaultVersion || s.StorageMB != spec.DefaultStorageMB || s.Zone == "" {
		t.Errorf("server %+v", s)
	}
	ep, ok := c.Endpoints().Get("demo")
	if !ok || ep.Port != s.Port || ep.Backend == "" || len(ep.Policy.Allow) != 0 {
		t.Errorf("host endpoint %+v (open %v), server port %d", ep, ok, s.Port)
	}
	info, err := c.Runtime().InspectContainer(ctx, c.Container("demo"))
	if err != nil || !info.Running {
		t.Errorf("container %+v: %v", info, err)
	}
	if err := c.Postgres().CheckPasswords("demo", password); err != nil {
		t.Error(err)
	}
	if err := c.Postgres().CheckPasswords("demo", "An0ther-Passw0rd!"); !errors.Is(err, memcloud.ErrPasswords) {
		t.Errorf("another password passes: %v", err)
	}
	if err := c.Postgres().CheckPasswords("demo", password, password); !errors.Is(err, memcloud.ErrPasswords) {
		t.Errorf("a password the server did not receive passes: %v", err)
	}
}

func TestAPIValidates(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	ctx := testContext(t)
	err := createServer(ctx, c, "demo", func(s *model.Server) { s.SKUName = "GP_Standard_D3s_v3" })
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrInvalid) || !errors.As(err, &apiErr) || apiErr.Field != "sku_name" {
		t.Fatalf("unknown SKU: %v", err)
	}
	if ids, err := c.Resources(); err != nil || len(ids) != 0 {
		t.Errorf("a refused create left %v (%v)", ids, err)
	}
}

// TestFailedCreateLeavesNothing: an engine fault fails the create, which rolls back completely.
func TestFailedCreateLeavesNothing(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	ctx := testContext(t)
	injected := errors.New("injected: the engine could not start the container")
	c.Runtime().FailNext("StartContainer", injected)
	err := createServer(ctx, c, "demo", nil)
	var opErr *client.OperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("create: %v, want a failed operation", err)
	}
	if ids, err := c.Resources(); err != nil || len(ids) != 0 {
		t.Errorf("records left: %v (%v)", ids, err)
	}
	if objs, err := c.Leftovers(ctx); err != nil || len(objs) != 0 {
		t.Errorf("engine objects left: %+v (%v)", objs, err)
	}
}

func TestPostgresFailNext(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	ctx := testContext(t)
	c.Postgres().FailNext(memcloud.MethodEnsureAdmin, errors.New("injected: role creation failed"))
	var opErr *client.OperationError
	if err := createServer(ctx, c, "demo", nil); !errors.As(err, &opErr) {
		t.Fatalf("create: %v, want a failed operation", err)
	}
	// The fault fired once: the next create succeeds.
	if err := createServer(ctx, c, "demo", nil); err != nil {
		t.Fatal(err)
	}
	if got := len(c.Postgres().Calls(memcloud.MethodEnsureAdmin, "demo")); got != 2 {
		t.Errorf("EnsureAdmin called %d times, want 2", got)
	}
}

func TestHoldServer(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, nil)
	release, err := c.HoldServer(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	rule := model.FirewallRule{Name: "office", StartIPAddress: "10.0.0.1", EndIPAddress: "10.0.0.9"}
	if _, err := c.Client().PutFirewallRule(ctx, "demo", rule); !errors.Is(err, client.ErrBusy) {
		t.Fatalf("rule on a held server: %v, want busy", err)
	}
	if err := c.WaitRefused(ctx, model.CodeServerBusy, 1); err != nil || c.Refused(model.CodeServerBusy) != 1 {
		t.Fatalf("ServerBusy answers: %d (%v)", c.Refused(model.CodeServerBusy), err)
	}
	if s, _ := c.Client().GetServer(ctx, "demo"); s == nil || s.State != store.PhaseRestarting {
		t.Errorf("held server reads %+v", s)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	op, err := c.Client().PutFirewallRule(ctx, "demo", rule)
	if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
		t.Fatalf("rule after release: %v", err)
	}
	ep, _ := c.Endpoints().Get("demo")
	if len(ep.Policy.Allow) == 0 {
		t.Error("the rule did not reach the host endpoint")
	}
}

// TestFillStorageAutoGrows: the real storage guard grows a full disk of an auto-grow server.
func TestFillStorageAutoGrows(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, func(s *model.Server) { s.AutoGrowEnabled = true })
	if err := c.FillStorage("demo", 0.96); err != nil {
		t.Fatal(err)
	}
	c.Housekeep()
	s, err := c.WaitServer(ctx, "demo", func(s store.Server, err error) bool {
		return err == nil && s.Spec.StorageMB > spec.DefaultStorageMB && s.ActiveOp == ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if next, _ := spec.NextStorageSize(spec.DefaultStorageMB); s.Spec.StorageMB != next {
		t.Errorf("storage grew to %d, want %d", s.Spec.StorageMB, next)
	}
	if err := c.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLeftoversAfterDelete(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, nil)
	objs, err := c.Leftovers(ctx)
	if err != nil || !slices.ContainsFunc(objs, func(o runtime.Object) bool { return o.Name == c.Container("demo") }) {
		t.Fatalf("a live server's container is not among the cloud's objects: %+v (%v)", objs, err)
	}
	op, err := c.Client().DeleteServer(ctx, "demo")
	if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
		t.Fatal(err)
	}
	if objs, err := c.Leftovers(ctx); err != nil || len(objs) != 0 {
		t.Errorf("left after delete: %+v (%v)", objs, err)
	}
	if ids, err := c.Resources(); err != nil || len(ids) != 0 {
		t.Errorf("records left after delete: %v (%v)", ids, err)
	}
}
