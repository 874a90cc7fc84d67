package images

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestAptCacheRoundTrip(t *testing.T) {
	cache, archives := t.TempDir(), filepath.Join(t.TempDir(), "archives")
	for _, n := range []string{"old_1.0_amd64.deb", "kept_2.0_amd64.deb", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(cache, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := seedArchives(cache, archives); err != nil {
		t.Fatal(err)
	}
	if got := names(t, archives); !slices.Equal(got, []string{"kept_2.0_amd64.deb", "old_1.0_amd64.deb"}) {
		t.Fatalf("seeded %v", got)
	}
	// The build used "kept" and downloaded "new"; "old" was superseded (apt cleaned it).
	if err := os.Remove(filepath.Join(archives, "old_1.0_amd64.deb")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(archives, "new_3.0_amd64.deb"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := harvestArchives(archives, cache); err != nil {
		t.Fatal(err)
	}
	if got := names(t, cache); !slices.Equal(got, []string{"kept_2.0_amd64.deb", "new_3.0_amd64.deb", "notes.txt"}) {
		t.Fatalf("cache after harvest %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(cache, "new_3.0_amd64.deb")); string(b) != "new" {
		t.Fatalf("harvested content %q", b)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
