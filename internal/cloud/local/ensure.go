package local

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
)

// Options say which cloud Ensure makes sure of. With Endpoint unset it is the local cloud in Home, which
// Ensure starts when none answers and restarts when it runs another build than this binary.
type Options struct {
	// Endpoint and Token name a cloud the configuration chose. Such a cloud is not ours: Ensure never
	// starts, stops or restarts it, and only warns when it reports another build.
	Endpoint, Token string
	Home            string // "" = Home()
	Addr            string // where a cloud started here listens; "" = Addr()
	// Build is this binary's identity (buildid.Of), compared with the build the cloud's health reports.
	Build    string
	Progress func(string) // steps worth telling the user; nil = none
	Warn     func(string) // what the user should know about; nil = Progress

	// start and stop act on processes; the unit tests replace them.
	start func(ctx context.Context, home, addr string) (Info, error)
	stop  func(ctx context.Context, info Info) error
}

// Ensure returns how to reach the cloud o names. For the local cloud that means: reuse it when it answers
// from this build; start it from this binary when none answers; restart it from this binary when it answers
// from another build and runs no operation (a *BusyError otherwise).
//
// A cloud from another build is restarted rather than used because the provider and the cloud are one
// program: a provider that validates a plan with this build's rules and a cloud that applies it with
// another's disagree in ways no user can debug (a new attribute ignored, a rule enforced twice differently).
// The restart is cheap and loses nothing, since the daemon's shutdown is durable: servers keep running and
// keep their data, and an operation interrupted by it resumes on the next start.
func Ensure(ctx context.Context, o Options) (Info, error) {
	o = o.withDefaults()
	if o.Endpoint != "" {
		return o.checkExplicit(ctx), nil
	}
	unlock, err := lockHome(ctx, o.Home)
	if err != nil {
		return Info{}, err
	}
	defer unlock()
	info, err := Probe(ctx, o.Home)
	if err != nil {
		o.Progress("no flexpg cloud answers; starting the local cloud (" + o.Home + ")")
		return o.start(ctx, o.Home, o.Addr)
	}
	if info.Build == o.Build {
		return info, nil
	}
	return o.restart(ctx, info)
}

func (o Options) withDefaults() Options {
	if o.Home == "" {
		o.Home = Home()
	}
	if o.Addr == "" {
		o.Addr = Addr()
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	if o.Warn == nil {
		o.Warn = o.Progress
	}
	if o.start == nil {
		o.start = startThisBinary
	}
	if o.stop == nil {
		o.stop = Stop
	}
	return o
}

// startThisBinary starts the local cloud from the running executable.
func startThisBinary(ctx context.Context, home, addr string) (Info, error) {
	exe, err := os.Executable()
	if err != nil {
		return Info{}, fmt.Errorf("find this binary to start the local cloud: %w", err)
	}
	return StartDetached(ctx, exe, home, addr)
}

// restart replaces the cloud old, which answers from another build, by one started from this binary on the
// same home and address. It refuses while operations run: stopping the cloud would not lose them (they
// resume), but whoever waits on them (another terraform apply) would see the cloud vanish mid-wait.
// An operation started between the check and the stop is no worse off: it resumes after the restart.
func (o Options) restart(ctx context.Context, old Info) (Info, error) {
	skew := BuildSkew{Home: o.Home, Endpoint: old.Endpoint, Cloud: old.Build, Self: o.Build}
	ops, count, err := runningOperations(ctx, old)
	if err != nil {
		return Info{}, fmt.Errorf("%s; listing its running operations before restarting it: %w", skew, err)
	}
	if count > 0 {
		return Info{}, &BusyError{Skew: skew, Running: ops, Count: count}
	}
	o.Warn(skew.String() + "; restarting it from this binary (servers keep running and keep their data)")
	if err := o.stop(ctx, old); err != nil && !errors.Is(err, ErrNotRunning) {
		return Info{}, fmt.Errorf("%s; stopping it: %w", skew, err)
	}
	info, err := o.start(ctx, o.Home, hostOf(old.Endpoint, o.Addr))
	if err != nil {
		return Info{}, fmt.Errorf("%s; starting it again from this binary: %w", skew, err)
	}
	o.Progress("the local cloud " + shortID(info.CloudID) + " runs build " + info.Build + " at " + info.Endpoint)
	return info, nil
}

// checkExplicit reports how to reach a configured endpoint and warns when it runs another build. An
// endpoint that does not answer is not an error here: the first real call reports it with its own error.
// A cloud that reports no build (one from before builds were reported, or a test harness) is not judged.
func (o Options) checkExplicit(ctx context.Context) Info {
	info := Info{Endpoint: o.Endpoint, Token: o.Token}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	h, err := client.New(o.Endpoint, o.Token).Health(ctx)
	if err != nil {
		return info
	}
	info.CloudID, info.Build = h.CloudID, h.Build
	if h.Build != "" && h.Build != o.Build {
		o.Warn(fmt.Sprintf("the flexpg cloud at %s runs build %s; this binary is build %s. It is the configured "+
			"endpoint, so it is not restarted; results may differ from what this build would do", o.Endpoint, h.Build, o.Build))
	}
	return info
}

// hostOf is the host:port of an endpoint URL, or fallback when it has none.
func hostOf(endpoint, fallback string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return fallback
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
