package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

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
	addr := fs.String("addr", local.Addr(), "API listen address (loopback; default $FLEXPG_ADDR or "+local.DefaultAddr+")")
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

// cmdUp does what the provider does with no endpoint configured (local.Ensure): it reuses a cloud of this
// build, starts one when none answers, and restarts one started by another build from this binary.
func cmdUp(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "up")
	addr := fs.String("addr", local.Addr(), "API listen address (loopback; default $FLEXPG_ADDR or "+local.DefaultAddr+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	home := local.Home()
	say := func(msg string) { fmt.Fprintln(e.stdout, msg) }
	info, err := local.Ensure(ctx, local.Options{Home: home, Addr: *addr, Build: buildid.Of(Version), Progress: say})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "flexpg cloud running at %s (build %s, log: %s)\n", info.Endpoint, info.Build, local.LogPath(home))
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
	err = local.Stop(ctx, info)
	if errors.Is(err, local.ErrNotRunning) {
		_ = local.RemoveInfo(home)
		fmt.Fprintln(e.stdout, "flexpg cloud is not running (stale info file removed)")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "flexpg cloud stopped")
	return nil
}
