package images

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLockMajor(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	unlock, err := lockMajor(context.Background(), "15")
	if err != nil {
		t.Fatal(err)
	}
	// A second caller waits; when its context ends it gives up with the context's error.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := lockMajor(ctx, "15"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock of 15 = %v, want deadline exceeded", err)
	}
	// Another major is independent.
	unlock17, err := lockMajor(context.Background(), "17")
	if err != nil {
		t.Fatal(err)
	}
	unlock17()
	unlock()
	unlock, err = lockMajor(context.Background(), "15")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock()
}

// TestLockFileAcrossOpens checks the file lock on its own: flock locks belong to the open file, so a
// second open in the same process stands in for a second process.
func TestLockFileAcrossOpens(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	f, err := lockFile(context.Background(), "15")
	if err != nil || f == nil {
		t.Fatalf("lockFile = %v, %v", f, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, "15"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lockFile = %v, want deadline exceeded", err)
	}
	f.Close()
	g, err := lockFile(context.Background(), "15")
	if err != nil || g == nil {
		t.Fatalf("lockFile after release = %v, %v", g, err)
	}
	g.Close()
}
