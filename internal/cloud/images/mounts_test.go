package images

import "testing"

func TestUnescapeMountinfo(t *testing.T) {
	tests := map[string]string{
		`/var/tmp/plain`:          "/var/tmp/plain",
		`/var/tmp/with\040space`:  "/var/tmp/with space",
		`/var/tmp/tab\011and\134`: "/var/tmp/tab\tand\\",
		`/var/tmp/short\04`:       `/var/tmp/short\04`,
	}
	for in, want := range tests {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
