package dns

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// msgWith puts body after an all-zero header, so offsets in body start at 12.
func msgWith(body ...byte) []byte { return append(make([]byte, headerLen), body...) }

func TestReadName(t *testing.T) {
	// 12: foo.example.com (17 bytes, "example" at 16); 29: www + pointer to 16.
	shared := msgWith(
		3, 'f', 'o', 'o', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		3, 'w', 'w', 'w', 0xC0, 16,
	)
	long := msgWith(bytes.Repeat([]byte{1, 'x'}, 128)...)
	long = append(long, 0)
	tests := []struct {
		name     string
		msg      []byte
		off      int
		want     string
		wantNext int
		wantErr  error
	}{
		{"plain", shared, 12, "foo.example.com.", 29, nil},
		{"compressed", shared, 29, "www.example.com.", 35, nil},
		{"root", msgWith(0), 12, ".", 13, nil},
		{"pointer to itself", msgWith(0xC0, 12), 12, "", 0, errBadPointer},
		{"pointer to the start of its own name", msgWith(1, 'a', 0xC0, 12), 12, "", 0, errBadPointer},
		{"pointer forwards", msgWith(0xC0, 14, 0), 12, "", 0, errBadPointer},
		{"two pointers in a loop", msgWith(0xC0, 14, 0xC0, 12), 14, "", 0, errBadPointer},
		{"reserved label type", msgWith(0x40, 'a', 0), 12, "", 0, errLabelType},
		{"label past the end", msgWith(5, 'a', 'b'), 12, "", 0, errTruncated},
		{"no terminator", msgWith(1, 'a'), 12, "", 0, errTruncated},
		{"half a pointer", msgWith(0xC0), 12, "", 0, errTruncated},
		{"longer than 255", long, 12, "", 0, errNameTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, next, err := readName(tt.msg, tt.off)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := n.String(); got != tt.want || next != tt.wantNext {
				t.Fatalf("got %q next %d, want %q next %d", got, next, tt.want, tt.wantNext)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"pg1.postgres.flexpg.internal", "pg1.postgres.flexpg.internal.", false},
		{"pg1.postgres.flexpg.internal.", "pg1.postgres.flexpg.internal.", false},
		{"", ".", false},
		{"a..b", "", true},
		{strings.Repeat("x", 64) + ".internal", "", true},
		{strings.Repeat("abcdefg.", 32) + "internal", "", true},
	}
	for _, tt := range tests {
		n, err := parseName(tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("parseName(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
		}
		if err == nil && n.String() != tt.want {
			t.Fatalf("parseName(%q) = %q, want %q", tt.in, n.String(), tt.want)
		}
	}
}

func TestNameKey(t *testing.T) {
	if k, ok := (name{"PG1", "Postgres", "FLEXPG", "internal"}).key(); !ok || k != fqdn {
		t.Fatalf("key = %q %v, want %q", k, ok, fqdn)
	}
	if _, ok := (name{"a.b", "internal"}).key(); ok {
		t.Fatal("a label holding a dot must not map to a lookup key")
	}
}
