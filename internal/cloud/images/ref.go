package images

import (
	"fmt"
	"os"
	"slices"
)

// Progress receives one human-readable line per build step. A nil Progress discards them.
type Progress func(format string, args ...any)

func (p Progress) printf(format string, args ...any) {
	if p != nil {
		p(format, args...)
	}
}

// repository is where locally built images are tagged.
const repository = "flexpg/postgres"

// suites maps each supported PostgreSQL major version to the Debian suite that ships it.
var suites = map[string]string{
	"15": "bookworm",
	"17": "trixie",
}

// Majors lists the PostgreSQL major versions an image can be built for, oldest first.
func Majors() []string {
	out := make([]string, 0, len(suites))
	for m := range suites {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// localRef is the tag a build produces, regardless of any user override.
func localRef(major string) string {
	return repository + ":" + major
}

// overrideEnv names the variable that points a major version at a user-supplied image.
func overrideEnv(major string) string {
	return "FLEXPG_IMAGE_" + major
}

// override returns the user's image for major, if one is configured.
func override(major string) (string, bool) {
	ref := os.Getenv(overrideEnv(major))
	return ref, ref != ""
}

// ImageRef is the image servers of the given major version run: the user's override from
// FLEXPG_IMAGE_<major> if set, otherwise flexpg/postgres:<major>.
func ImageRef(major string) string {
	if ref, ok := override(major); ok {
		return ref
	}
	return localRef(major)
}

func checkMajor(major string) error {
	if _, ok := suites[major]; !ok {
		return fmt.Errorf("images: unsupported PostgreSQL major version %q (supported: %v)", major, Majors())
	}
	return nil
}
