package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// keyringEnv overrides the keyring debootstrap verifies the mirror's Release file with.
const keyringEnv = "FLEXPG_DEBIAN_KEYRING"

// defaultKeyring is debian-archive-keyring's keyring. Passing it explicitly matters: when debootstrap's
// default keyring is missing it only warns and skips the signature check, whereas a named keyring that is
// missing is an error.
const defaultKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

func keyringPath() (string, error) {
	k := os.Getenv(keyringEnv)
	if k == "" {
		k = defaultKeyring
	}
	if _, err := os.Stat(k); err != nil {
		return "", fmt.Errorf("images: Debian archive keyring %s: %w (install debian-archive-keyring or set %s)", k, err, keyringEnv)
	}
	return k, nil
}

func debootstrapPath() (string, error) {
	if p, err := exec.LookPath("debootstrap"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/debootstrap", "/sbin/debootstrap"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("images: debootstrap not found; install it (apt-get install debootstrap) " +
		"or point FLEXPG_IMAGE_<major> at an existing image")
}

// bootstrap lays down the minimal Debian root file system.
func (b *builder) bootstrap(ctx context.Context) error {
	bin, err := debootstrapPath()
	if err != nil {
		return err
	}
	keyring, err := keyringPath()
	if err != nil {
		return err
	}
	if err := writeSetupFiles(b.root, preBootstrapFiles); err != nil {
		return err
	}
	t := time.Now()
	b.progress.printf("debootstrap %s started (package cache %s)", b.recipe.Suite, b.bootDeb)
	err = b.run(ctx, false, bin,
		"--variant=minbase",
		"--include="+strings.Join(b.recipe.Include, ","),
		"--cache-dir="+b.bootDeb,
		"--keyring="+keyring,
		b.recipe.Suite, b.root, b.mirror)
	if err != nil {
		return err
	}
	b.progress.printf("debootstrap %s finished in %.0fs", b.recipe.Suite, time.Since(t).Seconds())
	return nil
}
