// Package buildid names the build of the running binary, so a provider can tell whether the local cloud it
// finds was started from the same build as itself.
//
// The version string alone cannot do that: every local build is "dev", and two dev builds of different
// source compare equal. The VCS stamp of debug.ReadBuildInfo cannot either: two builds from the same commit
// with different uncommitted edits carry the same revision (only "modified=true"). What does tell any two
// builds apart is the executable itself, so the identity is the version plus a hash of the executable's
// bytes. Go builds are reproducible, so rebuilding the same source gives the same identity and does not
// cause a restart; anyone can check an identity by hand with sha256sum.
package buildid

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

// hashLen is how many hex digits of the SHA-256 are kept: enough to never collide between builds on one
// machine, short enough to read in a message.
const hashLen = 12

// Of returns the identity of the running binary, whose version is version: "<version>+<hash>", for
// example "dev+3f9a0c1b2d4e". Equal identities mean the same executable.
func Of(version string) string {
	return version + "+" + selfHash()
}

// selfHash hashes the executable once per process: it is about 40 MB (some 150 ms), and it cannot change
// under a running process.
var selfHash = sync.OnceValue(func() string {
	if h, err := hashFile(selfPath()); err == nil {
		return h[:hashLen]
	}
	// The executable cannot be read (an unusual sandbox). The VCS stamp still separates builds of
	// different commits, which is better than the version alone.
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= hashLen {
				return "rev" + s.Value[:hashLen]
			}
		}
	}
	return "unknown"
})

// selfPath is the file of the running process. On Linux /proc/self/exe opens the image this process runs
// even when `go build` or `go install` has replaced the file at its path since; os.Executable would name
// the path, and so hash the new build.
func selfPath() string {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe"
	}
	if p, err := os.Executable(); err == nil {
		return p
	}
	return os.Args[0]
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
