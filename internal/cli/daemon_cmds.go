package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/buildid"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/daemon"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// Version is the binary's version, set by main from its -ldflags value; with the executable's hash it makes
// the build identity (buildid.Of) that the cloud reports and `cloud up` and the provider compare.
var Version = "dev"

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "serve")
	addr := fs.String("addr", local.DefaultAddr, "API listen address (loopback)")
	home := fs.String("home", local.Home(), "state directory")
	verbose := fs.Bool("v", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := daemon.Config{Home: *home, Addr: *addr, Version: Version, Build: buildid.Of(Version), Logger: logger}
	if run := os.Getenv("FLEXPG_TEST_RUN"); run != "" {
		// A cloud started by the test suite marks what it creates, so the suite can prove it left nothing.
		cfg.Labels = runtime.Labels{runtime.LabelTest: run}
		cfg.PauseBeforeStep = os.Getenv("FLEXPG_FAULT_PAUSE_BEFORE_STEP")
	}
	d, err := daemon.Start(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "flexpg cloud %s (build %s) serving on %s (home %s)\n", d.CloudID()[:8], cfg.Build, d.Endpoint(), *home)
	<-ctx.Done()
	logger.Info("shutting down; running operations resume on the next start")
	return d.Close()
}

func cmdUp(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "up")
	addr := fs.String("addr", local.DefaultAddr, "API listen address (loopback)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	home := local.Home()
	if info, err := local.Probe(ctx, home); err == nil {
		fmt.Fprintf(e.stdout, "flexpg cloud already running at %s\n", info.Endpoint)
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	info, err := local.StartDetached(ctx, exe, home, *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "flexpg cloud running at %s (log: %s)\n", info.Endpoint, local.LogPath(home))
	return nil
}

func cmdDown(ctx context.Context, e *env, args []string) error {
	home := local.Home()
	info, err := local.ReadInfo(home)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(e.stdout, "flexpg cloud is not running")
		return nil
	}
	if err != nil {
		return err
	}
	proc, err := os.FindProcess(info.PID)
	if err == nil {
		err = proc.Signal(syscall.SIGTERM)
	}
	if err != nil {
		_ = local.RemoveInfo(home)
		fmt.Fprintln(e.stdout, "flexpg cloud is not running (stale info file removed)")
		return nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if proc.Signal(syscall.Signal(0)) != nil {
			fmt.Fprintln(e.stdout, "flexpg cloud stopped")
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("flexpg cloud (pid %d) did not stop within 30 s", info.PID)
}
