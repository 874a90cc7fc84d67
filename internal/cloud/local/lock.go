package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockTimeout is longer than a start (60 s) and a stop (30 s) together, the most a holder does.
const lockTimeout = 2 * time.Minute

// lockHome serialises Ensure between processes on one home. Without it two providers of one Terraform run
// (aliases), or a provider and `cloud up`, would both start a cloud, or both restart one, and the loser's
// cloud would fail on the locked state file. The lock is an flock, so it dies with its process.
func lockHome(ctx context.Context, home string) (unlock func(), err error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(home, "ensure.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(fd, syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("another process is starting or restarting the local cloud (it holds %s): %w", path, ctx.Err())
		case <-tick.C:
		}
	}
}
