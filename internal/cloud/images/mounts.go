package images

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// mountProc mounts a fresh procfs at root/proc for maintainer scripts that read it. The returned function
// unmounts it; callers defer it so the mount goes away on every path.
func mountProc(root string) (undo func() error, err error) {
	target := filepath.Join(root, "proc")
	if err := os.MkdirAll(target, 0o555); err != nil {
		return nil, fmt.Errorf("images: create %s: %w", target, err)
	}
	if err := syscall.Mount("proc", target, "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return nil, fmt.Errorf("images: mount proc in build root: %w", err)
	}
	done := false
	return func() error {
		if done {
			return nil
		}
		done = true
		return unmount(target)
	}, nil
}

// unmount detaches a mount point, lazily if it is still busy (a helper process that has not exited yet).
func unmount(target string) error {
	err := syscall.Unmount(target, 0)
	if errors.Is(err, syscall.EBUSY) {
		err = syscall.Unmount(target, syscall.MNT_DETACH)
	}
	if err != nil && !errors.Is(err, syscall.EINVAL) { // EINVAL: not a mount point (any more)
		return fmt.Errorf("images: unmount %s: %w", target, err)
	}
	return nil
}

// mountsUnder lists the mount points at or below dir, deepest first, from /proc/self/mountinfo. debootstrap
// mounts proc and sys itself and may leave them behind when it is killed.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMountinfo(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out, nil
}

// unescapeMountinfo decodes the octal escapes (\040 for a space) the kernel uses in mountinfo paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// removeBuildDir unmounts whatever is still mounted below dir and deletes it. If a mount cannot be removed
// the directory is left alone: deleting through a live mount could reach outside the build root.
func removeBuildDir(dir string) error {
	mps, err := mountsUnder(dir)
	if err != nil {
		return fmt.Errorf("images: list mounts: %w; left %s in place", err, dir)
	}
	for _, mp := range mps {
		if err := unmount(mp); err != nil {
			return fmt.Errorf("%w; left %s in place", err, dir)
		}
	}
	if mps, err := mountsUnder(dir); err != nil || len(mps) > 0 {
		return fmt.Errorf("images: mounts remain under %s (%v); left it in place", dir, mps)
	}
	return os.RemoveAll(dir)
}
