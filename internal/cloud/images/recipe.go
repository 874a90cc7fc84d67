package images

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"
)

// Image labels.
const (
	labelRecipe  = "io.flexpg.recipe"
	labelManaged = "io.flexpg.managed"
	labelMajor   = "io.flexpg.postgres-major"
)

// buildStepsVersion is part of the recipe hash. Bump it when the build steps change in a way that changes
// the image without changing the suite, packages, image configuration or entrypoint (for example what the
// cleanup removes).
const buildStepsVersion = "3" // 2: postgres user with fixed IDs; 3: the template is one tar file (the entrypoint is hashed apart)

// recipe is everything that decides an image's content. Its hash is stamped on the image, so an image
// built from an older recipe is rebuilt by Ensure.
type recipe struct {
	Major      string
	Suite      string
	Include    []string // extra packages debootstrap installs into the minimal base
	Packages   []string // packages apt installs afterwards, in the chroot
	Entrypoint string
}

// recipeFor returns the recipe of the image for a supported major version.
func recipeFor(major string) recipe {
	return recipe{
		Major:   major,
		Suite:   suites[major],
		Include: []string{"ca-certificates", "locales"},
		// setpriv and runuser, which the entrypoint and the build use, come with util-linux (essential).
		Packages:   []string{"postgresql-" + major, "pgbouncer"},
		Entrypoint: entrypointScript,
	}
}

// binDir is where Debian installs the server binaries of the recipe's major version.
func (r recipe) binDir() string {
	return "/usr/lib/postgresql/" + r.Major + "/bin"
}

// hash is a short, stable digest of the recipe.
func (r recipe) hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "steps=%s\nmajor=%s\nsuite=%s\ninclude=%s\npackages=%s\n",
		buildStepsVersion, r.Major, r.Suite, strings.Join(r.Include, ","), strings.Join(r.Packages, ","))
	cfg, err := json.Marshal(r.imageConfig(""))
	if err != nil {
		panic(err) // a plain struct of strings always marshals
	}
	fmt.Fprintf(h, "config=%s\nentrypoint=%s", cfg, r.Entrypoint)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// imageConfig is the image's run configuration. The recipe label is left out when hash is empty, which is
// how hash covers the rest.
func (r recipe) imageConfig(hash string) *container.Config {
	cfg := &container.Config{
		Env: []string{
			"PATH=" + r.binDir() + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"LANG=C.UTF-8",
			// So that pg_ctl, pg_controldata and the like find the server's data in a docker exec.
			"PGDATA=" + dataDir,
		},
		Entrypoint: []string{entrypointPath},
		// SIGINT is PostgreSQL's fast shutdown: sessions are ended and a checkpoint written.
		StopSignal:   "SIGINT",
		ExposedPorts: nat.PortSet{"5432/tcp": {}, "6432/tcp": {}},
		Labels:       map[string]string{labelManaged: "true", labelMajor: r.Major},
	}
	if hash != "" {
		cfg.Labels[labelRecipe] = hash
	}
	return cfg
}
