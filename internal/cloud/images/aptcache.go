package images

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The packages apt downloads inside the chroot are kept in a persistent directory beside debootstrap's
// cache, and placed into the chroot's archive directory before installing. Nothing is bind-mounted: the
// files are hard-linked (or copied across file systems) in and out.

// seedArchives puts the cached .deb files into the chroot's apt archive directory.
func seedArchives(cacheDir, archives string) error {
	if err := os.MkdirAll(archives, 0o755); err != nil {
		return err
	}
	return forEachDeb(cacheDir, func(name string) error {
		return linkOrCopy(filepath.Join(cacheDir, name), filepath.Join(archives, name))
	})
}

// harvestArchives makes the cache hold exactly the .deb files of this build: new downloads are added and
// files this build did not use (older versions) are dropped, so the cache does not grow without bound.
func harvestArchives(archives, cacheDir string) error {
	used := map[string]bool{}
	err := forEachDeb(archives, func(name string) error {
		used[name] = true
		dst := filepath.Join(cacheDir, name)
		if _, err := os.Stat(dst); err == nil {
			return nil
		}
		return linkOrCopy(filepath.Join(archives, name), dst)
	})
	if err != nil {
		return err
	}
	return forEachDeb(cacheDir, func(name string) error {
		if used[name] {
			return nil
		}
		return os.Remove(filepath.Join(cacheDir, name))
	})
}

func forEachDeb(dir string, fn func(name string) error) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".deb") {
			if err := fn(e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}

// linkOrCopy hard-links src to dst, copying when they are on different file systems.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
