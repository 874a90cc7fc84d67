package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/docker/docker/client"
)

// buildTempParent holds build roots: /var/tmp is on disk (a root file system does not fit a small tmpfs)
// and is where the engine's own data usually lives, so hard links and renames stay cheap.
const buildTempParent = "/var/tmp"

// builder is one build in progress.
type builder struct {
	recipe   recipe
	mirror   string
	dir      string // temporary directory holding root and the log
	root     string
	logPath  string
	bootDeb  string // debootstrap's persistent package cache
	aptCache string // persistent cache of the packages apt installs in the chroot
	progress Progress
}

// Build builds flexpg/postgres:<major> from Debian packages and returns that reference, even when an
// up-to-date image exists. It needs root (debootstrap, chroot) and the Debian mirror of the apt
// configuration. The user override FLEXPG_IMAGE_<major> does not apply: Build always makes the local image.
func Build(ctx context.Context, cli *client.Client, major string, progress Progress) (string, error) {
	if err := checkMajor(major); err != nil {
		return "", err
	}
	unlock, err := lockMajor(ctx, major)
	if err != nil {
		return "", err
	}
	defer unlock()
	return build(ctx, cli, major, progress)
}

// build runs the recipe; the caller holds the major's lock.
func build(ctx context.Context, cli *client.Client, major string, progress Progress) (ref string, err error) {
	start := time.Now()
	ref = localRef(major)
	r := recipeFor(major)
	if err := checkBuildHost(); err != nil {
		return "", err
	}
	progress.printf("resolving Debian mirror")
	mirror, err := resolveMirror()
	if err != nil {
		return "", err
	}
	b, err := newBuilder(r, mirror, progress)
	if err != nil {
		return "", err
	}
	defer func() {
		// A leftover directory costs disk, not correctness; the image (if made) is fine.
		if rerr := removeBuildDir(b.dir); rerr != nil {
			progress.printf("warning: %v", rerr)
		}
	}()
	progress.printf("building %s (recipe %s) from Debian %s at %s; build log %s (removed when the build ends)",
		ref, r.hash(), r.Suite, mirror, b.logPath)

	if err := b.bootstrap(ctx); err != nil {
		return "", err
	}
	if err := b.customise(ctx); err != nil {
		return "", err
	}
	if err := b.importImage(ctx, cli, ref); err != nil {
		return "", err
	}
	info, _, err := inspectImage(ctx, cli, ref)
	if err != nil {
		return "", err
	}
	if err := removeStale(ctx, cli, major); err != nil {
		progress.printf("warning: %v", err)
	}
	progress.printf("done: %s, %d MB, in %.0fs", ref, info.Size/1e6, time.Since(start).Seconds())
	return ref, nil
}

// checkBuildHost fails early, with a way out, where a build cannot work.
func checkBuildHost() error {
	if os.Geteuid() != 0 {
		return errors.New("images: building an image needs root (debootstrap and chroot); run as root, " +
			"or point FLEXPG_IMAGE_<major> at an existing image")
	}
	if _, err := debootstrapPath(); err != nil {
		return err
	}
	_, err := keyringPath()
	return err
}

func newBuilder(r recipe, mirror string, progress Progress) (*builder, error) {
	cache, err := cacheRoot()
	if err != nil {
		return nil, err
	}
	b := &builder{
		recipe:   r,
		mirror:   mirror,
		bootDeb:  filepath.Join(cache, "debootstrap", r.Suite),
		aptCache: filepath.Join(cache, "apt", r.Suite),
		progress: progress,
	}
	for _, d := range []string{b.bootDeb, b.aptCache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("images: create cache %s: %w", d, err)
		}
	}
	b.dir, err = os.MkdirTemp(buildTempParent, "flexpg-image-"+r.Major+"-")
	if err != nil {
		return nil, fmt.Errorf("images: create build directory: %w", err)
	}
	b.root = filepath.Join(b.dir, "rootfs")
	b.logPath = filepath.Join(b.dir, "build.log")
	return b, nil
}

// cacheRoot is flexpg's directory in the user's cache ($XDG_CACHE_HOME or ~/.cache).
func cacheRoot() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("images: locate cache directory: %w", err)
	}
	return filepath.Join(dir, "flexpg"), nil
}

// customise installs packages, bakes the entrypoint and trims the tree.
func (b *builder) customise(ctx context.Context) error {
	t := time.Now()
	b.progress.printf("installing %v into the root file system", b.recipe.Packages)
	if err := b.installPackages(ctx); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(b.root, entrypointPath), 0o755, b.recipe.Entrypoint); err != nil {
		return err
	}
	if err := b.trimRoot(); err != nil {
		return fmt.Errorf("images: trim root file system: %w", err)
	}
	b.progress.printf("packages installed and template data directory made in %.0fs", time.Since(t).Seconds())
	return nil
}

func (b *builder) importImage(ctx context.Context, cli *client.Client, ref string) error {
	t := time.Now()
	b.progress.printf("importing the root file system into Docker as %s", ref)
	if err := createImage(ctx, cli, b.root, ref, b.recipe.imageConfig(b.recipe.hash())); err != nil {
		return err
	}
	b.progress.printf("imported in %.0fs", time.Since(t).Seconds())
	return nil
}
