package postgres

import (
	"sort"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// codeRanges is a sorted list of inclusive code point ranges.
type codeRanges [][2]rune

func (t codeRanges) contains(r rune) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i][1] >= r })
	return i < len(t) && t[i][0] <= r
}

// saslPrepPassword returns the bytes PostgreSQL hashes for password. It follows PostgreSQL's pg_saslprep and
// its callers exactly, so a verifier computed here matches what the server would compute from the cleartext
// and what libpq sends at login:
//   - pure ASCII is used as it is;
//   - otherwise RFC 4013 SASLprep: map non-ASCII spaces to U+0020, drop "mapped to nothing" characters,
//     normalise to NFKC;
//   - if the input is not UTF-8, maps to nothing, or contains prohibited, unassigned (Unicode 3.2) or
//     badly mixed bidirectional characters, the raw password is used instead of failing.
//
// Like PostgreSQL, the prohibition and bidi checks look at the mapped string before normalisation.
func saslPrepPassword(password string) string {
	if isASCII(password) || !utf8.ValidString(password) {
		return password
	}
	mapped := make([]rune, 0, len(password))
	for _, r := range password {
		switch {
		case saslNonASCIISpace.contains(r):
			mapped = append(mapped, ' ')
		case saslMappedToNothing.contains(r):
		default:
			mapped = append(mapped, r)
		}
	}
	if len(mapped) == 0 || !saslAllowed(mapped) {
		return password
	}
	return norm.NFKC.String(string(mapped))
}

func saslAllowed(runes []rune) bool {
	hasRandAL := false
	for _, r := range runes {
		if saslProhibited.contains(r) || saslUnassigned.contains(r) {
			return false
		}
		if saslRandALCat.contains(r) {
			hasRandAL = true
		}
	}
	if !hasRandAL {
		return true
	}
	// RFC 3454 section 6: right-to-left text may not contain left-to-right characters and must start and end
	// with a right-to-left character.
	for _, r := range runes {
		if saslLCat.contains(r) {
			return false
		}
	}
	return saslRandALCat.contains(runes[0]) && saslRandALCat.contains(runes[len(runes)-1])
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
