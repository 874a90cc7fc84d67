package images

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// mirrorEnv overrides the mirror read from the apt configuration.
const mirrorEnv = "FLEXPG_DEBIAN_MIRROR"

// ErrNoMirror means the apt configuration names no usable Debian mirror.
var ErrNoMirror = errors.New("images: no Debian mirror found in the apt configuration")

// debianSuites are the suite names (codenames and aliases) that identify a Debian archive, as opposed to a
// third-party repository that happens to be configured for apt too.
var debianSuites = []string{
	"buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
	"oldoldstable", "oldstable", "stable", "testing", "unstable",
}

// resolveMirror returns the mirror to build from: FLEXPG_DEBIAN_MIRROR if set, otherwise the machine's.
func resolveMirror() (string, error) {
	if m := strings.TrimSpace(os.Getenv(mirrorEnv)); m != "" {
		return strings.TrimRight(m, "/"), nil
	}
	m, err := MirrorFromAptConfig("/")
	if err != nil {
		return "", fmt.Errorf("%w (set %s to a Debian mirror URL)", err, mirrorEnv)
	}
	return m, nil
}

// MirrorFromAptConfig returns the URI of the first Debian archive (not its -security suites) that the apt
// configuration under root enables, in apt's own reading order: etc/apt/sources.list, then the files of
// etc/apt/sources.list.d sorted by name (*.list one-line entries and *.sources deb822 stanzas).
func MirrorFromAptConfig(root string) (string, error) {
	for _, path := range aptSourceFiles(root) {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("images: read apt source %s: %w", path, err)
		}
		var uri string
		if strings.HasSuffix(path, ".sources") {
			uri = mirrorFromDeb822(string(data))
		} else {
			uri = mirrorFromOneLine(string(data))
		}
		if uri != "" {
			return uri, nil
		}
	}
	return "", ErrNoMirror
}

// aptSourceFiles lists the source files apt would read, in its order. Files with other suffixes (for
// example *.disabled) are ignored, as apt ignores them.
func aptSourceFiles(root string) []string {
	files := []string{filepath.Join(root, "etc/apt/sources.list")}
	dir := filepath.Join(root, "etc/apt/sources.list.d")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return files
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".list") || strings.HasSuffix(n, ".sources")) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		files = append(files, filepath.Join(dir, n))
	}
	return files
}

// mirrorFromOneLine scans "deb [options] URI suite component..." lines.
func mirrorFromOneLine(text string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[0] != "deb" {
			continue
		}
		fields = fields[1:]
		if strings.HasPrefix(fields[0], "[") {
			fields = dropOptions(fields)
		}
		if len(fields) >= 2 && usableURI(fields[0]) && isDebianSuite(fields[1]) {
			return strings.TrimRight(fields[0], "/")
		}
	}
	return ""
}

// dropOptions removes a "[ key=value ... ]" block, which may span several fields.
func dropOptions(fields []string) []string {
	for i, f := range fields {
		if strings.HasSuffix(f, "]") {
			return fields[i+1:]
		}
	}
	return nil
}

// mirrorFromDeb822 scans the stanzas of a .sources file.
func mirrorFromDeb822(text string) string {
	for _, st := range deb822Stanzas(text) {
		if strings.EqualFold(st["enabled"], "no") || !slices.Contains(strings.Fields(st["types"]), "deb") {
			continue
		}
		if !slices.ContainsFunc(strings.Fields(st["suites"]), isDebianSuite) {
			continue
		}
		for _, uri := range strings.Fields(st["uris"]) {
			if usableURI(uri) {
				return strings.TrimRight(uri, "/")
			}
		}
	}
	return ""
}

// deb822Stanzas splits text into stanzas of lower-cased field name -> value. Comment lines are dropped and
// continuation lines (leading white space) are appended to the field before them.
func deb822Stanzas(text string) []map[string]string {
	var out []map[string]string
	cur := map[string]string{}
	last := ""
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur, last = map[string]string{}, ""
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if last != "" {
				cur[last] += "\n" + strings.TrimSpace(line)
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.ToLower(strings.TrimSpace(k))
			cur[last] = strings.TrimSpace(v)
		}
	}
	flush()
	return out
}

// isDebianSuite accepts a Debian codename or alias and its -updates/-backports variants, but not the
// -security suites, which live in a different archive that debootstrap cannot build from.
func isDebianSuite(suite string) bool {
	base, variant, _ := strings.Cut(suite, "-")
	if variant == "security" || strings.Contains(suite, "/") {
		return false
	}
	return slices.Contains(debianSuites, base)
}

// usableURI accepts the transports debootstrap can fetch from.
func usableURI(uri string) bool {
	for _, p := range []string{"http://", "https://", "file:/"} {
		if strings.HasPrefix(uri, p) {
			return true
		}
	}
	return false
}
