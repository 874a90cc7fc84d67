package daemon_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestConfigurationRollback: settings that pass validation but that PostgreSQL rejects never take a real
// server down. On 15 and 17, a lock table too big to map (max_locks_per_transaction × max_connections) fails
// the restart, and a time zone that does not exist fails PostgreSQL's check of the file; each time the
// previous value comes back, the server is Ready and runs it, and the operation's error names the parameter
// and quotes PostgreSQL.
func TestConfigurationRollback(t *testing.T) {
	eachVersion(t, "it-rollback-", func(t *testing.T, c *client.Client, name string, admin cloudtest.Conn) {
		ctx := context.Background()
		do := waiter(t, c)
		do(c.PutConfiguration(ctx, name, "max_locks_per_transaction", "128"))
		do(c.PutConfiguration(ctx, name, "TimeZone", "Europe/Paris"))

		// Why this value: 8388608 locks × (50 connections + workers) is a lock table of about 240 GB.
		// With the kernel's default overcommit heuristic mapping it fails and PostgreSQL says so; with
		// overcommit_memory=1 the mapping succeeds and the container is killed for memory instead.
		t.Run("a start failure is rolled back", func(t *testing.T) {
			e := failedChange(t, c, name, "max_locks_per_transaction", "8388608")
			if !strings.Contains(e.Message, `max_locks_per_transaction = "8388608" was rolled back: PostgreSQL did not start with it`) {
				t.Fatalf("message %q", e.Message)
			}
			if overcommit, _ := os.ReadFile("/proc/sys/vm/overcommit_memory"); strings.TrimSpace(string(overcommit)) != "1" &&
				!strings.Contains(e.Message, "PostgreSQL said: FATAL:  could not map anonymous shared memory") {
				t.Fatalf("message does not quote PostgreSQL: %q", e.Message)
			}
			serverRuns(ctx, t, c, admin, name, "max_locks_per_transaction", "128")
		})

		t.Run("a value PostgreSQL refuses is rolled back before it is loaded", func(t *testing.T) {
			e := failedChange(t, c, name, "TimeZone", "Mars/Olympus")
			if !strings.Contains(e.Message, `TimeZone = "Mars/Olympus" was rolled back: PostgreSQL refuses the configuration file`) ||
				!strings.Contains(e.Message, `PostgreSQL said: LOG:  invalid value for parameter "TimeZone": "Mars/Olympus"`) {
				t.Fatalf("message %q", e.Message)
			}
			serverRuns(ctx, t, c, admin, name, "TimeZone", "Europe/Paris")
		})

		t.Run("the catalog still matches the server", func(t *testing.T) { compareCatalog(ctx, t, c, admin, name) })
	})
}

// failedChange sets a parameter and expects the operation to fail with an invalid-value error.
func failedChange(t *testing.T, c *client.Client, server, name, value string) *model.Error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	op, err := c.PutConfiguration(ctx, server, name, value)
	_, err = c.Do(ctx, op, err, nil)
	var opErr *client.OperationError
	if !errors.As(err, &opErr) || opErr.Operation.Error == nil {
		t.Fatalf("%s = %q: want a failed operation, got %v", name, value, err)
	}
	e := opErr.Operation.Error
	if e.Code != model.CodeInvalidParameter || e.Field != "value" {
		t.Fatalf("%s = %q: error %+v", name, value, e)
	}
	t.Logf("%s = %q: %s", name, value, e.Message)
	return e
}

// serverRuns checks that the server is Ready, that the API reports value for name and that PostgreSQL
// runs it.
func serverRuns(ctx context.Context, t *testing.T, c *client.Client, admin cloudtest.Conn, server, name, value string) {
	t.Helper()
	s, err := c.GetServer(ctx, server)
	if err != nil || s.State != spec.StateReady {
		t.Fatalf("server after the rollback: %+v %v", s, err)
	}
	cfg, err := c.GetConfiguration(ctx, server, name)
	if err != nil || cfg.Value != value || cfg.IsConfigPendingRestart {
		t.Fatalf("%s after the rollback: %+v %v, want %q", name, cfg, err, value)
	}
	if got, err := admin.QueryString(ctx, "select setting from pg_settings where name = '"+name+"'"); err != nil || got != value {
		t.Fatalf("PostgreSQL runs %s = %q (%v), want %q", name, got, err, value)
	}
}
