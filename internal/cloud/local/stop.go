package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ErrNotRunning is returned by Stop when no process of the cloud exists any more (a stale info file).
var ErrNotRunning = errors.New("the flexpg cloud is not running")

// stopTimeout bounds the daemon's shutdown: its HTTP shutdown alone may take 5 s, and operations stop at
// their next step boundary.
const stopTimeout = 30 * time.Second

// Stop asks the cloud of info to shut down and waits until its process is gone. SIGTERM is the daemon's
// own graceful shutdown (as `cloud down`): running operations stop where they are, durably, and resume on
// the next start; servers keep running and keep their data.
func Stop(ctx context.Context, info Info) error {
	if info.PID <= 0 {
		// kill(0) would signal the caller's own process group, kill(-1) every process it may signal.
		return fmt.Errorf("the flexpg cloud's info file names no process (pid %d); stop it by hand", info.PID)
	}
	proc, err := os.FindProcess(info.PID)
	if err == nil {
		err = proc.Signal(syscall.SIGTERM)
	}
	if errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
		return ErrNotRunning
	}
	if err != nil {
		return fmt.Errorf("stop the flexpg cloud (pid %d): %w", info.PID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, stopTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for proc.Signal(syscall.Signal(0)) == nil {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the flexpg cloud (pid %d) did not stop within %s: %w", info.PID, stopTimeout, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}
