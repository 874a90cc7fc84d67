package images

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
)

// Files written into the build root before debootstrap runs (dpkg in the chroot reads its configuration
// directory from the start) or before packages are installed. policy-rc.d keeps maintainer scripts from
// starting services (pgbouncer) in the chroot; force-unsafe-io skips dpkg's fsyncs, which only slow a
// build whose result is thrown away on failure; the path excludes keep documentation and message
// translations from being unpacked at all (PostgreSQL's messages stay in English, as on the service).
type setupFile struct {
	path string
	mode fs.FileMode
	text string
	temp bool // removed again before the image is imported
}

var preBootstrapFiles = []setupFile{
	{"etc/dpkg/dpkg.cfg.d/flexpg-unsafe-io", 0o644, "force-unsafe-io\n", true},
	{"etc/dpkg/dpkg.cfg.d/flexpg-nodoc", 0o644, "path-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n" +
		"path-exclude=/usr/share/man/*\npath-exclude=/usr/share/info/*\npath-exclude=/usr/share/lintian/*\n" +
		"path-exclude=/usr/share/locale/*/*\npath-include=/usr/share/locale/locale.alias\n", false},
}

var preInstallFiles = []setupFile{
	{"etc/postgresql-common/createcluster.conf", 0o644, "# The cloud creates its own data directory.\ncreate_main_cluster = false\n", false},
	{"usr/sbin/policy-rc.d", 0o755, "#!/bin/sh\nexit 101\n", true},
	{"etc/locale.gen", 0o644, "en_US.UTF-8 UTF-8\n", false},
}

func writeSetupFiles(root string, files []setupFile) error {
	for _, f := range files {
		if err := writeFile(filepath.Join(root, f.path), f.mode, f.text); err != nil {
			return err
		}
	}
	return nil
}

// aptInstallArgs keep the pre-written createcluster.conf (a conffile of postgresql-common) without asking.
var aptInstallArgs = []string{
	"install", "-y", "-q", "--no-install-recommends",
	"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
}

// installPackages runs the chroot half of the recipe: locale, packages, template data directory.
func (b *builder) installPackages(ctx context.Context) (err error) {
	if err := writeSetupFiles(b.root, preInstallFiles); err != nil {
		return err
	}
	unmountProc, err := mountProc(b.root)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := unmountProc(); uerr != nil && err == nil {
			err = uerr
		}
	}()

	// debootstrap leaves the base packages here; they live in its own cache already.
	archives := filepath.Join(b.root, "var/cache/apt/archives")
	if err := removeGlob(archives, "*.deb", ""); err != nil {
		return err
	}
	if err := seedArchives(b.aptCache, archives); err != nil {
		return fmt.Errorf("images: seed apt cache: %w", err)
	}
	uid, gid := strconv.Itoa(postgres.OSUserUID), strconv.Itoa(postgres.OSUserGID)
	steps := [][]string{
		// The postgres user gets fixed IDs before the packages create it with whatever is free, so the
		// cloud can own files it copies into a running container (postgres.OSUserUID).
		{"/usr/sbin/groupadd", "--system", "--gid", gid, "postgres"},
		{"/usr/sbin/useradd", "--system", "--uid", uid, "--gid", gid, "--home-dir", "/var/lib/postgresql", "--shell", "/bin/bash", "postgres"},
		{"/usr/sbin/locale-gen"},
		{"/usr/bin/apt-get", "update", "-q"},
		append(append([]string{"/usr/bin/apt-get"}, aptInstallArgs...), b.recipe.Packages...),
	}
	for _, s := range steps {
		if err := b.run(ctx, true, s[0], s[1:]...); err != nil {
			return err
		}
	}
	if err := harvestArchives(archives, b.aptCache); err != nil {
		return fmt.Errorf("images: keep apt cache: %w", err)
	}
	return b.makeTemplate(ctx)
}

// makeTemplate initialises the data directory new servers start from, as the cloud's superuser with
// certificate-only access (--auth=reject: pg_hba.conf in /etc/flexpg decides who gets in), and packs it into
// templateArchive.
func (b *builder) makeTemplate(ctx context.Context) error {
	if err := b.run(ctx, true, "/usr/bin/install", "-d", "-o", "postgres", "-g", "postgres", "-m", "700", templateStaging); err != nil {
		return err
	}
	if err := b.run(ctx, true, "/usr/sbin/runuser", "-u", "postgres", "--",
		b.recipe.binDir()+"/initdb", "-D", templateStaging, "-U", superuser, "-E", "UTF8",
		"--locale=en_US.UTF-8", "--auth=reject", "--no-sync"); err != nil {
		return err
	}
	if err := b.run(ctx, true, "/usr/bin/install", "-d", "-m", "755", filepath.Dir(templateArchive)); err != nil {
		return err
	}
	if err := b.run(ctx, true, "/bin/tar", "-C", templateStaging, "-cf", templateArchive, "."); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(b.root, templateStaging))
}

// trimRoot removes what a server never needs (documentation, apt's indexes and downloads, logs of the
// build, the snakeoil key pair every ssl-cert install generates) and the temporary setup files.
func (b *builder) trimRoot() error {
	for _, f := range append(preBootstrapFiles, preInstallFiles...) {
		if f.temp {
			if err := os.Remove(filepath.Join(b.root, f.path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	for _, dir := range []string{"usr/share/man", "usr/share/info", "usr/share/lintian",
		"usr/share/postgresql/" + b.recipe.Major + "/man", "var/lib/apt/lists", "var/cache/apt", "var/log", "tmp"} {
		if err := emptyDir(filepath.Join(b.root, dir)); err != nil {
			return err
		}
	}
	for _, glob := range []string{"usr/share/doc/*/*", "usr/share/locale/*/*", "var/cache/debconf/*-old",
		"var/lib/dpkg/*-old", "etc/ssl/private/ssl-cert-snakeoil.key", "etc/ssl/certs/ssl-cert-snakeoil.pem"} {
		if err := removeGlob(b.root, glob, "copyright"); err != nil {
			return err
		}
	}
	// debootstrap copies the host's resolver configuration and name; the engine provides both at run time.
	if err := writeFile(filepath.Join(b.root, "etc/resolv.conf"), 0o644, ""); err != nil {
		return err
	}
	return writeFile(filepath.Join(b.root, "etc/hostname"), 0o644, "localhost\n")
}

// emptyDir removes the contents of dir but keeps dir itself (with its mode and owner).
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// removeGlob removes what matches pattern under root, except entries named keep.
func removeGlob(root, pattern, keep string) error {
	matches, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		return err
	}
	for _, m := range matches {
		if filepath.Base(m) == keep {
			continue
		}
		if err := os.RemoveAll(m); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, mode fs.FileMode, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// Remove first: the target may be a symlink (resolv.conf often is) that must not be followed out of the root.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		return fmt.Errorf("images: write %s: %w", strings.TrimPrefix(path, "/"), err)
	}
	return os.Chmod(path, mode) // WriteFile's mode is filtered by the umask
}
