package api

import (
	"encoding/json"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestConfigurationPutStoresCanonicalValue: the operation carries the canonical spelling, so the cloud
// writes (and later reports) pg_stat_statements, never the PG_STAT_STATEMENTS PostgreSQL cannot load.
func TestConfigurationPutStoresCanonicalValue(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	seedReady(t, st, validServer())
	cases := map[string]string{
		"shared_preload_libraries": "PG_STAT_STATEMENTS, Auto_Explain",
		"log_connections":          "FALSE",
		"max_connections":          "0100",
		"pgbouncer.enabled":        "On",
	}
	want := map[string]string{
		"shared_preload_libraries": "pg_stat_statements,auto_explain",
		"log_connections":          "off",
		"max_connections":          "100",
		"pgbouncer.enabled":        "true",
	}
	for name, value := range cases {
		resp, body := call(t, srv, "PUT", "/v1/flexibleServers/demo/configurations/"+name,
			model.Configuration{Value: value, Source: "user-override"}, nil)
		if resp.StatusCode != 202 {
			t.Fatalf("%s: status %d %s", name, resp.StatusCode, body)
		}
		op := ops.launched[len(ops.launched)-1]
		var p controller.ConfigurationPayload
		if err := json.Unmarshal(op.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Name != name || p.Value != want[name] {
			t.Errorf("%s = %q: operation carries %s = %q, want %q", name, value, p.Name, p.Value, want[name])
		}
		// The fake operations never finish: free the server for the next request.
		if err := st.Update(func(tx *store.Tx) error {
			s, err := tx.GetServer("demo")
			if err != nil {
				return err
			}
			s.ActiveOp, s.Phase = "", store.PhaseReady
			return tx.PutServer(s)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConfigurationReportsWhatTheServerRuns: values come from spec.ParameterValues: a stored override in an
// old build's spelling reads back canonical, read-only entries show the value the cloud writes, and the
// storage guard's read-only switch shows.
func TestConfigurationReportsWhatTheServerRuns(t *testing.T) {
	srv, _, st := newTestAPI(t)
	seedReady(t, st, validServer())
	if err := st.Update(func(tx *store.Tx) error {
		if err := tx.PutConfiguration(store.Configuration{Server: "demo", Name: "log_connections", Value: "TRUE"}); err != nil {
			return err
		}
		s, err := tx.GetServer("demo")
		if err != nil {
			return err
		}
		s.ReadOnly = true
		return tx.PutServer(s)
	}); err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, srv, "GET", "/v1/flexibleServers/demo/configurations", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	var list struct {
		Value []model.Configuration `json:"value"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]model.Configuration{}
	for _, c := range list.Value {
		got[c.Name] = c
	}
	if len(got) != len(spec.Parameters()) {
		t.Fatalf("%d configurations listed, catalog has %d", len(got), len(spec.Parameters()))
	}
	checks := []struct{ name, value, source string }{
		{"log_connections", "on", "user-override"},
		{"wal_log_hints", "on", "system-default"},
		{"restart_after_crash", "on", "system-default"},
		{"default_transaction_read_only", "on", "system-default"},
		{"max_connections", "50", "system-default"},
	}
	for _, c := range checks {
		if g := got[c.name]; g.Value != c.value || g.Source != c.source {
			t.Errorf("%s = %q (%s), want %q (%s)", c.name, g.Value, g.Source, c.value, c.source)
		}
	}
	if !got["wal_log_hints"].IsReadOnly || !got["restart_after_crash"].IsReadOnly {
		t.Error("settings the cloud fixes must be read-only")
	}
	resp, body = call(t, srv, "GET", "/v1/flexibleServers/demo/configurations/log_connections", nil, nil)
	var one model.Configuration
	_ = json.Unmarshal(body, &one)
	if resp.StatusCode != 200 || one.Value != "on" {
		t.Fatalf("get: %d %+v", resp.StatusCode, one)
	}
}

// TestConfigurationCombinationRule: a minimum TLS version above the server's maximum is refused before any
// operation starts, naming the field and the rule.
func TestConfigurationCombinationRule(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	seedReady(t, st, validServer())
	if err := st.Update(func(tx *store.Tx) error {
		return tx.PutConfiguration(store.Configuration{Server: "demo", Name: "ssl_max_protocol_version", Value: "TLSv1.2"})
	}); err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, srv, "PUT", "/v1/flexibleServers/demo/configurations/ssl_min_protocol_version",
		model.Configuration{Value: "TLSv1.3", Source: "user-override"}, nil)
	e := assertError(t, resp, body, 400, model.CodeInvalidParameter)
	if e.Field != "value" || len(ops.launched) != 0 {
		t.Fatalf("error %+v, launched %d", e, len(ops.launched))
	}
	resp, body = call(t, srv, "PUT", "/v1/flexibleServers/demo/configurations/ssl_min_protocol_version",
		model.Configuration{Value: "TLSv1.2", Source: "user-override"}, nil)
	if resp.StatusCode != 202 {
		t.Fatalf("an allowed combination: %d %s", resp.StatusCode, body)
	}
}
