// Package cloudtest runs a real cloud (real Docker) inside a test process: a fresh home, an API on a free
// loopback port, and a test label on everything it creates, swept when the test ends. Integration and
// acceptance tests both use it.
package cloudtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/daemon"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/docker"
)

// RunLabel is the value of io.flexpg.test on everything this test process creates. `make test` sets
// FLEXPG_TEST_RUN so that it can check afterwards that the run left nothing behind.
func RunLabel() string {
	if v := os.Getenv("FLEXPG_TEST_RUN"); v != "" {
		return v
	}
	return runLabel
}

var runLabel = "go-test-" + randomHex(4)

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Cloud is a running test cloud.
type Cloud struct {
	*daemon.Daemon
	Home string
	cfg  daemon.Config
}

// Start starts a cloud in home (created if needed). Logs go to the returned cloud's log file in home, so a
// failing test can print them.
func Start(ctx context.Context, home string) (*Cloud, error) {
	return StartWith(ctx, home, nil)
}

// StartWith is Start with a chance to change the cloud's configuration (its scale, for instance).
func StartWith(ctx context.Context, home string, edit func(*daemon.Config)) (*Cloud, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(home+"/cloud.log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cfg := daemon.Config{
		Home:    home,
		Addr:    "127.0.0.1:0",
		Labels:  runtime.Labels{runtime.LabelTest: RunLabel()},
		Version: "test",
		Logger:  slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&cfg)
	}
	d, err := daemon.Start(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("start test cloud: %w", err)
	}
	return &Cloud{Daemon: d, Home: home, cfg: cfg}, nil
}

// Restart stops the cloud and starts it again on the same home (and the same port).
func (c *Cloud) Restart(ctx context.Context) error {
	addr := c.Endpoint()[len("http://"):]
	_ = c.Close()
	c.cfg.Addr = addr
	d, err := daemon.Start(ctx, c.cfg)
	if err != nil {
		return err
	}
	c.Daemon = d
	return nil
}

// Sweep removes every engine object of this cloud and its isolation rules.
func Sweep(ctx context.Context, cloudID string) error {
	rt, err := docker.New(ctx)
	if err != nil {
		return err
	}
	if err := rt.Sweep(ctx, runtime.Labels{runtime.LabelCloud: cloudID}); err != nil {
		return err
	}
	return netguard.Sweep(ctx, cloudID[:8])
}

// Stop closes the cloud and removes everything it created.
func (c *Cloud) Stop() error {
	_ = c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return Sweep(ctx, c.CloudID())
}
