package daemon_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/images"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// catalogVersions are the PostgreSQL versions whose servers the catalog must describe.
var catalogVersions = []string{"15", "17"}

// TestCatalogMatchesServer: on a real server of each version, every catalog parameter the API lists has the
// value PostgreSQL itself runs (pg_settings.setting, in the units the API reports), before and after
// overrides written in other spellings; service knobs are settings PostgreSQL does not have.
func TestCatalogMatchesServer(t *testing.T) {
	eachVersion(t, "it-catalog-", func(t *testing.T, c *client.Client, name string, admin cloudtest.Conn) {
		ctx := context.Background()
		do := waiter(t, c)
		t.Run("new server", func(t *testing.T) { compareCatalog(ctx, t, c, admin, name) })

		t.Run("overrides in other spellings", func(t *testing.T) {
			// The reported bug: PG_STAT_STATEMENTS passed validation and PostgreSQL then refused to start.
			do(c.PutConfiguration(ctx, name, "shared_preload_libraries", "PG_STAT_STATEMENTS, Auto_Explain"))
			do(c.PutConfiguration(ctx, name, "log_connections", "FALSE"))
			do(c.PutConfiguration(ctx, name, "max_locks_per_transaction", "0128"))
			do(c.PutConfiguration(ctx, name, "random_page_cost", "1.50"))
			want := map[string]string{"shared_preload_libraries": "pg_stat_statements,auto_explain",
				"log_connections": "off", "max_locks_per_transaction": "128", "random_page_cost": "1.5"}
			for param, v := range want {
				cfg, err := c.GetConfiguration(ctx, name, param)
				if err != nil || cfg.Value != v || cfg.Source != "user-override" || cfg.IsConfigPendingRestart {
					t.Fatalf("%s: %+v %v, want %q applied", param, cfg, err, v)
				}
			}
			if s, err := c.GetServer(ctx, name); err != nil || s.State != spec.StateReady {
				t.Fatalf("server after the changes: %+v %v", s, err)
			}
			compareCatalog(ctx, t, c, admin, name)
		})
	})
}

// eachVersion starts a cloud and, for each catalog version, runs fn in a subtest on a new public B1ms
// server named prefix+version that the test's address may reach.
func eachVersion(t *testing.T, prefix string, fn func(t *testing.T, c *client.Client, name string, admin cloudtest.Conn)) {
	needDocker(t)
	_, c := startCloud(t)
	for _, version := range catalogVersions {
		t.Run("pg"+version, func(t *testing.T) {
			name := prefix + version
			fn(t, c, name, catalogServer(t, c, name, version))
		})
	}
}

// catalogServer creates a public B1ms server of version that the test's address may reach, and returns
// its admin connection.
func catalogServer(t *testing.T, c *client.Client, name, version string) cloudtest.Conn {
	t.Helper()
	ctx := context.Background()
	do := waiter(t, c)
	do(c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Version: version,
		SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin", AdministratorPassword: canary}, true))
	do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
	admin := serverConn(t, c, name)
	if _, err := cloudtest.Eventually(ctx, 10*time.Second, func() error { _, err := admin.QueryString(ctx, "select 1"); return err }); err != nil {
		t.Fatal(err)
	}
	return admin
}

// compareCatalog checks every catalog entry the API lists against the server: a PostgreSQL setting has the
// reported value, a service knob is unknown to PostgreSQL.
func compareCatalog(ctx context.Context, t *testing.T, c *client.Client, admin cloudtest.Conn, name string) {
	t.Helper()
	list, err := c.ListConfigurations(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]string{}
	for _, cfg := range list {
		reported[cfg.Name] = cfg.Value
	}
	catalog := spec.Parameters()
	names := make([]string, 0, len(catalog))
	for _, p := range catalog {
		names = append(names, p.Name)
	}
	conn, err := admin.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	live, err := postgres.ShowSettings(ctx, conn, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(catalog) {
		t.Errorf("the API lists %d parameters, the catalog has %d", len(list), len(catalog))
	}
	for _, p := range catalog {
		value, listed := reported[p.Name]
		got, known := live[p.Name]
		switch {
		case !listed:
			t.Errorf("%s: in the catalog but not listed by the API", p.Name)
		case p.Service && known:
			t.Errorf("%s: a service knob, but PostgreSQL has a setting of that name (%q)", p.Name, got)
		case !p.Service && !known:
			t.Errorf("%s: PostgreSQL has no such setting, but the catalog does not mark it a service knob", p.Name)
		case !p.Service && got != value:
			t.Errorf("%s: the API reports %q, PostgreSQL runs %q", p.Name, value, got)
		}
	}
}

// TestImagesShipCatalogLibraries: every library shared_preload_libraries allows is in each image's $libdir
// and every extension azure.extensions allows has its control file, so no allowed value names a file
// PostgreSQL cannot find.
func TestImagesShipCatalogLibraries(t *testing.T) {
	needDocker(t)
	cloud, _ := startCloud(t)
	libraries, _ := spec.LookupParameter("shared_preload_libraries")
	extensions, _ := spec.LookupParameter("azure.extensions")
	for _, version := range catalogVersions {
		t.Run("pg"+version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out, errOut bytes.Buffer
			code, err := cloud.Runtime().Run(ctx, runtime.ContainerSpec{
				Name:  "flexpg-it-libs-" + version + "-" + cloudtest.RunLabel(),
				Image: images.ImageRef(version),
				Env:   []string{"FLEXPG_MODE=exec"}, // the image runs its arguments instead of PostgreSQL
				Cmd: []string{"sh", "-c", `cd "$(pg_config --pkglibdir)" && ls *.so && echo --- && ` +
					`cd "$(pg_config --sharedir)/extension" && ls *.control`},
				Labels: runtime.Labels{runtime.LabelTest: cloudtest.RunLabel(), runtime.LabelCloud: cloud.CloudID()},
			}, nil, &out, &errOut)
			if err != nil || code != 0 {
				t.Fatalf("list the image's files: exit %d %v: %s", code, err, errOut.String())
			}
			libs, controls, ok := strings.Cut(out.String(), "---")
			if !ok {
				t.Fatalf("unexpected output:\n%s", out.String())
			}
			shipped := func(listing, suffix string) map[string]bool {
				m := map[string]bool{}
				for _, f := range strings.Fields(listing) {
					m[strings.TrimSuffix(f, suffix)] = true
				}
				return m
			}
			haveLibs, haveExts := shipped(libs, ".so"), shipped(controls, ".control")
			for _, lib := range libraries.Allowed {
				if !haveLibs[lib] {
					t.Errorf("shared_preload_libraries allows %s, but flexpg/postgres:%s has no %s.so", lib, version, lib)
				}
			}
			for _, ext := range extensions.Allowed {
				if !haveExts[ext] {
					t.Errorf("azure.extensions allows %s, but flexpg/postgres:%s has no %s.control", ext, version, ext)
				}
			}
			if len(haveLibs) < len(libraries.Allowed) || len(haveExts) < len(extensions.Allowed) {
				t.Errorf("listing looks truncated: %d libraries, %d extensions", len(haveLibs), len(haveExts))
			}
		})
	}
}
