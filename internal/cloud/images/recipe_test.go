package images

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRecipeHash(t *testing.T) {
	base := recipeFor("15")
	if got := base.hash(); !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(got) {
		t.Fatalf("hash %q is not 12 hex digits", got)
	}
	if base.hash() != recipeFor("15").hash() {
		t.Fatal("hash is not stable")
	}
	changed := map[string]func(r *recipe){
		"entrypoint": func(r *recipe) { r.Entrypoint += "# changed\n" },
		"packages":   func(r *recipe) { r.Packages = append(slices.Clone(r.Packages), "less") },
		"include":    func(r *recipe) { r.Include = append(slices.Clone(r.Include), "curl") },
		"suite":      func(r *recipe) { r.Suite = "trixie" },
		"major":      func(r *recipe) { r.Major = "17" },
	}
	for name, mutate := range changed {
		t.Run(name, func(t *testing.T) {
			r := recipeFor("15")
			mutate(&r)
			if r.hash() == base.hash() {
				t.Fatalf("hash did not change when %s changed", name)
			}
		})
	}
}

func TestRecipeForMajors(t *testing.T) {
	tests := []struct {
		major, suite, pkg string
	}{
		{"15", "bookworm", "postgresql-15"},
		{"17", "trixie", "postgresql-17"},
	}
	for _, tt := range tests {
		r := recipeFor(tt.major)
		if r.Suite != tt.suite || !slices.Contains(r.Packages, tt.pkg) || !slices.Contains(r.Packages, "pgbouncer") {
			t.Errorf("recipe %s = %+v", tt.major, r)
		}
		cfg := r.imageConfig(r.hash())
		if cfg.Labels[labelRecipe] != r.hash() || cfg.Labels[labelManaged] != "true" {
			t.Errorf("labels %v", cfg.Labels)
		}
		if cfg.StopSignal != "SIGINT" || !slices.Equal(cfg.Entrypoint, []string{entrypointPath}) {
			t.Errorf("config %+v", cfg)
		}
		if !slices.ContainsFunc(cfg.Env, func(e string) bool {
			return strings.HasPrefix(e, "PATH=/usr/lib/postgresql/"+tt.major+"/bin:")
		}) {
			t.Errorf("env %v lacks the server binaries on PATH", cfg.Env)
		}
		if _, ok := cfg.ExposedPorts["5432/tcp"]; !ok {
			t.Errorf("ports %v", cfg.ExposedPorts)
		}
	}
	if got := Majors(); !slices.Equal(got, []string{"15", "17"}) {
		t.Errorf("Majors() = %v", got)
	}
}

func TestImageRef(t *testing.T) {
	if got := ImageRef("15"); got != "flexpg/postgres:15" {
		t.Fatalf("ImageRef(15) = %q", got)
	}
	t.Setenv("FLEXPG_IMAGE_17", "registry.example/pg:17-custom")
	if got := ImageRef("17"); got != "registry.example/pg:17-custom" {
		t.Fatalf("ImageRef(17) with override = %q", got)
	}
	if got := ImageRef("15"); got != "flexpg/postgres:15" {
		t.Fatalf("override of 17 leaked into 15: %q", got)
	}
	if err := checkMajor("16"); err == nil {
		t.Fatal("major 16 accepted")
	}
}
