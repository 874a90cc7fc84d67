package spec

import (
	"strconv"
	"strings"
)

// PostgreSQL major versions the cloud can run. 15 comes from Debian bookworm, 17 from trixie (DESIGN §2).
const (
	Version15 = "15"
	Version17 = "17"
)

// DefaultVersion is used when a server's version is not set.
const DefaultVersion = Version17

// Versions returns the supported major versions, oldest first.
func Versions() []string { return []string{Version15, Version17} }

// ImageMajor returns the major version that names the server image (flexpg/postgres:<major>), e.g. "17" for
// "17" or "17.2"; an empty version means DefaultVersion.
func ImageMajor(version string) string {
	if version == "" {
		return DefaultVersion
	}
	major, _, _ := strings.Cut(version, ".")
	return major
}

// compareVersions orders two major versions numerically; non-numeric versions compare as strings.
func compareVersions(a, b string) int {
	ai, errA := strconv.Atoi(ImageMajor(a))
	bi, errB := strconv.Atoi(ImageMajor(b))
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	switch {
	case ai < bi:
		return -1
	case ai > bi:
		return 1
	}
	return 0
}
