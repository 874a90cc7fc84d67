package postgres

import "testing"

func TestSASLPrepPassword(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii untouched", "pencil", "pencil"},
		{"ascii control untouched", "a\x07b", "a\x07b"},
		{"RFC 4013 soft hyphen", "I\u00ADX", "IX"},
		{"RFC 4013 case kept", "USER", "USER"},
		{"RFC 4013 ordinal", "\u00AA", "a"},
		{"RFC 4013 roman numeral", "\u2168", "IX"},
		{"non-ASCII space", "a\u00A0b\u3000c", "a b c"},
		{"ligature", "\uFB01", "fi"},
		{"combining to precomposed", "e\u0301", "\u00E9"},
		{"already normal", "pässwörd", "pässwörd"},
		{"han", "密码", "密码"},
		{"right-to-left only", "\u05D0\u05D1", "\u05D0\u05D1"},
		{"prohibited control falls back to raw", "é\u0007", "é\u0007"},
		{"unassigned in 3.2 falls back to raw", "pässw😀rd", "pässw😀rd"},
		{"bidi mixed falls back to raw", "\u05D0a\u05D1", "\u05D0a\u05D1"},
		{"bidi not ending RandAL falls back to raw", "\u05D0\u05D11", "\u05D0\u05D11"},
		{"only mapped to nothing falls back to raw", "\u00AD", "\u00AD"},
		{"invalid UTF-8 falls back to raw", "p\xffass", "p\xffass"},
		{"private use falls back to raw", "é\uE000", "é\uE000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := saslPrepPassword(tc.in); got != tc.want {
				t.Fatalf("saslPrepPassword(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCodeRanges(t *testing.T) {
	table := codeRanges{{0x10, 0x20}, {0x30, 0x30}, {0x100, 0x1FF}}
	for r, want := range map[rune]bool{0x0F: false, 0x10: true, 0x15: true, 0x20: true, 0x21: false, 0x30: true,
		0x31: false, 0x100: true, 0x1FF: true, 0x200: false} {
		if got := table.contains(r); got != want {
			t.Errorf("contains(%#x) = %v, want %v", r, got, want)
		}
	}
	for name, tbl := range map[string]codeRanges{"space": saslNonASCIISpace, "nothing": saslMappedToNothing,
		"prohibited": saslProhibited, "unassigned": saslUnassigned, "RandAL": saslRandALCat, "L": saslLCat} {
		for i, rg := range tbl {
			if rg[0] > rg[1] || (i > 0 && tbl[i-1][1] >= rg[0]) {
				t.Errorf("table %s not sorted and disjoint at %d", name, i)
			}
		}
	}
}
