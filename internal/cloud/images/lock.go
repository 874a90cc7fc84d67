package images

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// majorLocks serialises builds per major version within this process, so concurrent Ensure calls for the
// same version build once and the rest reuse the result. A channel rather than a mutex lets a waiter give up
// when its context ends.
var (
	majorLocksMu sync.Mutex
	majorLocks   = map[string]chan struct{}{}
)

// lockPollInterval is how often a process waiting for another process's build retries the file lock.
const lockPollInterval = 250 * time.Millisecond

// lockMajor takes the in-process lock for major and then a file lock in the cache directory, which keeps
// two processes (a cloud daemon and a CLI, say) from building the same image, and writing the same
// package caches, at once. The file lock is best effort: without a usable cache directory a build fails
// later anyway, and reusing an existing image needs no lock across processes.
func lockMajor(ctx context.Context, major string) (unlock func(), err error) {
	majorLocksMu.Lock()
	ch, ok := majorLocks[major]
	if !ok {
		ch = make(chan struct{}, 1)
		majorLocks[major] = ch
	}
	majorLocksMu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	f, err := lockFile(ctx, major)
	if err != nil {
		<-ch
		return nil, err
	}
	return func() {
		if f != nil {
			f.Close() // closing releases the flock
		}
		<-ch
	}, nil
}

// lockFile waits for the cross-process lock of major, returning nil when no lock file can be used.
func lockFile(ctx context.Context, major string) (*os.File, error) {
	cache, err := cacheRoot()
	if err != nil {
		return nil, nil
	}
	dir := filepath.Join(cache, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil
	}
	f, err := os.OpenFile(filepath.Join(dir, "postgres-"+major+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPollInterval):
		}
	}
}
