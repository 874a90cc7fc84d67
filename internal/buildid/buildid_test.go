package buildid

import (
	"os"
	"strings"
	"testing"
)

// TestVersionBuildIdentity: the identity carries the version and the hash of this very executable, so two
// builds with the same version string still differ.
func TestVersionBuildIdentity(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want, err := hashFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	got := Of("dev")
	if got != "dev+"+want[:hashLen] {
		t.Fatalf("Of(dev) = %q, want dev+%s", got, want[:hashLen])
	}
	if other := Of("1.2.3"); !strings.HasPrefix(other, "1.2.3+") || strings.TrimPrefix(other, "1.2.3+") != want[:hashLen] {
		t.Fatalf("Of(1.2.3) = %q", other)
	}
}
