package acctest

import (
	"crypto/rand"
	"strconv"
	"strings"
	"sync/atomic"
)

// NamePrefix starts every name a test creates, so leftovers are easy to recognise and sweep.
const NamePrefix = "tfacc"

// maxNameLength is the shortest name limit of the resources tests create (server names: 63).
const maxNameLength = 63

// randomLength is the number of random characters; 36^8 ≈ 2.8e12 makes collisions across parallel runs
// negligible, and a counter appended after them rules them out within one run.
const randomLength = 8

var nameCounter atomic.Uint64

// RandomName returns a unique, lowercase name "<NamePrefix>-<prefix>-<random>", valid as a server, firewall
// rule or database name. The prefix is lowercased and cut so the whole name stays within 63 characters.
func RandomName(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, randomLength)
	if _, err := rand.Read(b); err != nil {
		panic("acctest: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	// The counter makes two names of one run differ even if the random parts collide.
	suffix := string(b) + strconv.FormatUint(nameCounter.Add(1), 36)

	prefix = strings.Trim(strings.ToLower(prefix), "-")
	head := NamePrefix
	if prefix != "" {
		head += "-" + prefix
	}
	if room := maxNameLength - len(suffix) - 1; len(head) > room {
		head = strings.TrimRight(head[:room], "-")
	}
	return head + "-" + suffix
}
