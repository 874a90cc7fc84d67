package spec

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// hasControl reports whether s holds an ASCII control character (including NUL, newline and DEL) or is not
// valid UTF-8. Such values can never be a name or a setting and would corrupt generated files.
func hasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// isASCIILetter, isASCIIDigit and isASCIILower classify bytes; names in this service are ASCII only.
func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
func isASCIIDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isASCIILower(c byte) bool  { return 'a' <= c && c <= 'z' }

// onlyBytes reports whether every byte of s satisfies ok.
func onlyBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// joinInts renders sizes for messages: "32768, 65536, ...".
func joinInts(values []int64) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(parts, ", ")
}

// joinValues renders an enumeration for messages: "ZoneRedundant, SameZone".
func joinValues(values []string) string { return strings.Join(values, ", ") }

// MarkdownList renders values for documentation: "`ZoneRedundant`, `SameZone`". The provider uses it so the
// docs and the validators share one list.
func MarkdownList(values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = "`" + v + "`"
	}
	return strings.Join(parts, ", ")
}

// MarkdownInts renders numbers for documentation: "`32768`, `65536`".
func MarkdownInts(values []int64) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return MarkdownList(parts)
}

// quote renders a user value inside a message; %q-style quoting keeps control characters visible and harmless.
func quote(s string) string { return strconv.Quote(s) }

// inList reports whether v is one of values (exact match).
func inList(v string, values []string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}
