package images

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestMirrorFromAptConfig(t *testing.T) {
	tests := []struct {
		root    string
		want    string
		wantErr error
	}{
		// The security stanza, a deb-src stanza and a third-party suite come first and are skipped.
		{root: "deb822", want: "http://mirror.example/debian"},
		// Options in brackets, comments and deb-src lines are handled; the first Debian line wins.
		{root: "oneline", want: "http://mirror.example/debian"},
		// Enabled: no is honoured and URIs debootstrap cannot fetch are skipped.
		{root: "disabled", want: "http://on.mirror.example/debian"},
		// A continuation line of a multi-line field is not mistaken for a field of its own.
		{root: "multiline", want: "https://keyed.mirror.example/debian"},
		{root: "none", wantErr: ErrNoMirror},
		{root: "missing", wantErr: ErrNoMirror},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			got, err := MirrorFromAptConfig(filepath.Join("testdata", tt.root))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("mirror = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolveMirrorEnvOverride(t *testing.T) {
	t.Setenv(mirrorEnv, "http://override.mirror.example/debian/")
	got, err := resolveMirror()
	if err != nil {
		t.Fatal(err)
	}
	if got != "http://override.mirror.example/debian" {
		t.Fatalf("mirror = %q", got)
	}
}

func TestIsDebianSuite(t *testing.T) {
	tests := map[string]bool{
		"bookworm": true, "trixie-updates": true, "stable": true, "sid": true, "bookworm-backports": true,
		"bookworm-security": false, "nodistro": false, "jammy": false, "bookworm/updates": false,
	}
	for suite, want := range tests {
		if got := isDebianSuite(suite); got != want {
			t.Errorf("isDebianSuite(%q) = %v, want %v", suite, got, want)
		}
	}
}
