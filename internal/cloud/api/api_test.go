package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/clock"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// fakeOps records launched operations instead of running them.
type fakeOps struct {
	mu       sync.Mutex
	launched []store.Operation
	n        int
}

func (f *fakeOps) NewOperation(kind, resourceID, server string, payload []byte) store.Operation {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return store.Operation{Operation: model.Operation{ID: "op" + string(rune('0'+f.n)), Kind: kind, ResourceID: resourceID,
		Status: model.OperationRunning, StartedAt: time.Now()}, Server: server, Payload: payload}
}
func (f *fakeOps) Launch(op store.Operation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.launched = append(f.launched, op)
}
func (f *fakeOps) Housekeep() {}
func (f *fakeOps) Fault(_ context.Context, fault model.Fault) (model.FaultResult, error) {
	return model.FaultResult{Action: fault.Action}, nil
}

func (f *fakeOps) Metrics(context.Context, string) (model.Metrics, error) {
	return model.Metrics{}, nil
}
func (f *fakeOps) Logs(ctx context.Context, server string, tail int, w io.Writer) error {
	_, err := io.WriteString(w, "log line\n")
	return err
}

const testToken = "secret-token"

func newTestAPI(t *testing.T) (*httptest.Server, *fakeOps, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ops := &fakeOps{}
	srv := httptest.NewServer(New(Config{CloudID: "c1", Token: testToken, Store: st, Ops: ops, Scale: spec.DefaultScale}))
	t.Cleanup(srv.Close)
	return srv, ops, st
}

func call(t *testing.T, srv *httptest.Server, method, path string, body any, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func validServer() model.Server {
	return model.Server{Name: "demo", Location: "westeurope", Version: "15", SKUName: "B_Standard_B1ms",
		AdministratorLogin: "pgadmin", AdministratorPassword: "Sup3r-secret!"}
}

func TestUnauthorized(t *testing.T) {
	srv, _, _ := newTestAPI(t)
	resp, err := http.Get(srv.URL + "/v1/flexibleServers")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if resp, _ := http.Get(srv.URL + "/v1/health"); resp.StatusCode != 200 {
		t.Fatalf("health needs no token, got %d", resp.StatusCode)
	}
}

func TestCreateServerAccepted(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	resp, body := call(t, srv, "PUT", "/v1/flexibleServers/demo", validServer(), map[string]string{"If-None-Match": "*"})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var op model.Operation
	_ = json.Unmarshal(body, &op)
	if resp.Header.Get("Location") != "/v1/operations/"+op.ID || op.Kind != "server.create" {
		t.Fatalf("location %q op %+v", resp.Header.Get("Location"), op)
	}
	if len(ops.launched) != 1 {
		t.Fatalf("launched %d operations", len(ops.launched))
	}
	// The password is never stored, echoed, or put in the operation document; only a verifier is in the
	// payload.
	if bytes.Contains(body, []byte("Sup3r-secret!")) || bytes.Contains(ops.launched[0].Payload, []byte("Sup3r-secret!")) {
		t.Fatal("password leaked")
	}
	if !bytes.Contains(ops.launched[0].Payload, []byte("SCRAM-SHA-256$")) {
		t.Fatalf("payload has no verifier: %s", ops.launched[0].Payload)
	}
	_, got := call(t, srv, "GET", "/v1/flexibleServers/demo", nil, nil)
	var s model.Server
	_ = json.Unmarshal(got, &s)
	if s.State != store.PhaseProvisioning || s.StorageMB != spec.DefaultStorageMB || s.FQDN != "demo.postgres.flexpg.internal" || s.AdministratorPassword != "" || s.Zone != "1" {
		t.Fatalf("server %+v", s)
	}
	// A second mutation while the create runs is refused as busy; a create-only PUT as already existing.
	resp, body = call(t, srv, "PUT", "/v1/flexibleServers/demo", validServer(), nil)
	assertError(t, resp, body, 409, model.CodeServerBusy)
	resp, body = call(t, srv, "PUT", "/v1/flexibleServers/demo", validServer(), map[string]string{"If-None-Match": "*"})
	assertError(t, resp, body, 409, model.CodeAlreadyExists)
	resp, body = call(t, srv, "PUT", "/v1/flexibleServers/demo/firewallRules/r1", model.FirewallRule{StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}, nil)
	assertError(t, resp, body, 409, model.CodeServerBusy)
	_ = st
}

func assertError(t *testing.T, resp *http.Response, body []byte, status int, code string) model.Error {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var e model.ErrorResponse
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.Error.Code != code {
		t.Fatalf("code %q, want %q: %s", e.Error.Code, code, body)
	}
	return e.Error
}

func TestInvalidServerNamesField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*model.Server)
	}{
		{"storage_mb", func(s *model.Server) { s.StorageMB = 1000 }},
		{"sku_name", func(s *model.Server) { s.SKUName = "Standard_X" }},
		{"location", func(s *model.Server) { s.Location = "mars" }},
		{"administrator_login", func(s *model.Server) { s.AdministratorLogin = "azure_superuser" }},
		{"backup_retention_days", func(s *model.Server) { s.BackupRetentionDays = 36 }},
		{"maintenance_window.start_hour", func(s *model.Server) { s.MaintenanceWindow = &model.MaintenanceWindow{StartHour: 24} }},
		{"high_availability.mode", func(s *model.Server) { s.HighAvailability = &model.HighAvailability{Mode: "ZoneRedundant"} }},
		{"administrator_password", func(s *model.Server) { s.AdministratorPassword = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			srv, ops, _ := newTestAPI(t)
			s := validServer()
			tc.edit(&s)
			resp, body := call(t, srv, "PUT", "/v1/flexibleServers/demo", s, nil)
			e := assertError(t, resp, body, 400, model.CodeInvalidParameter)
			if e.Field != tc.field || !strings.Contains(e.Message, strings.Split(tc.field, ".")[0]) {
				t.Fatalf("error %+v does not name %s", e, tc.field)
			}
			if len(ops.launched) != 0 {
				t.Fatal("an invalid request started an operation")
			}
		})
	}
}

// TestStorageOnlyGrows: with a ready server, a smaller storage_mb is refused with a message that says why.
func TestStorageOnlyGrows(t *testing.T) {
	srv, _, st := newTestAPI(t)
	s := validServer()
	s.StorageMB = 65536
	seedReady(t, st, s)
	s.StorageMB = 32768
	resp, body := call(t, srv, "PUT", "/v1/flexibleServers/demo", s, nil)
	e := assertError(t, resp, body, 400, model.CodeInvalidParameter)
	if e.Field != "storage_mb" || !strings.Contains(e.Message, "65536") {
		t.Fatalf("error %+v", e)
	}
}

func seedReady(t *testing.T, st *store.Store, s model.Server) {
	t.Helper()
	s = withDefaults(s)
	s.AdministratorPassword = ""
	s.State = spec.StateReady
	if err := st.Update(func(tx *store.Tx) error {
		return tx.PutServer(store.Server{Spec: s, Phase: store.PhaseReady, HostPort: 15432})
	}); err != nil {
		t.Fatal(err)
	}
}

func TestFirewallRuleValidation(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	seedReady(t, st, validServer())
	resp, body := call(t, srv, "PUT", "/v1/flexibleServers/demo/firewallRules/r1", model.FirewallRule{StartIPAddress: "::1", EndIPAddress: "::1"}, nil)
	if e := assertError(t, resp, body, 400, model.CodeInvalidParameter); e.Field != "start_ip_address" {
		t.Fatalf("error %+v", e)
	}
	resp, body = call(t, srv, "PUT", "/v1/flexibleServers/demo/firewallRules/r1", model.FirewallRule{StartIPAddress: "10.0.0.9", EndIPAddress: "10.0.0.1"}, nil)
	if e := assertError(t, resp, body, 400, model.CodeInvalidParameter); e.Field != "end_ip_address" {
		t.Fatalf("error %+v", e)
	}
	resp, body = call(t, srv, "PUT", "/v1/flexibleServers/demo/firewallRules/r1", model.FirewallRule{StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}, nil)
	if resp.StatusCode != 202 || len(ops.launched) != 1 || ops.launched[0].Kind != "firewallRule.put" {
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, srv, "GET", "/v1/flexibleServers/nope/firewallRules/r1", nil, nil)
	assertError(t, resp, body, 404, model.CodeNotFound)
}

func TestConfigurationValidation(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	seedReady(t, st, validServer())
	put := func(name, value string) (*http.Response, []byte) {
		return call(t, srv, "PUT", "/v1/flexibleServers/demo/configurations/"+name, model.Configuration{Value: value, Source: "user-override"}, nil)
	}
	resp, body := put("ssl_min_protocol_version", "TLSv1.1")
	if e := assertError(t, resp, body, 400, model.CodeInvalidParameter); e.Field != "value" {
		t.Fatalf("error %+v", e)
	}
	resp, body = put("no_such_parameter", "1")
	if e := assertError(t, resp, body, 400, model.CodeInvalidParameter); e.Field != "name" {
		t.Fatalf("error %+v", e)
	}
	resp, body = put("fsync", "off")
	assertError(t, resp, body, 400, model.CodeInvalidParameter)
	resp, body = put("max_connections", "100")
	if resp.StatusCode != 202 || ops.launched[0].Kind != "configuration.put" {
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	// Defaults derived from the SKU, as the service shows them.
	resp, body = call(t, srv, "GET", "/v1/flexibleServers/demo/configurations/max_connections", nil, nil)
	var c model.Configuration
	_ = json.Unmarshal(body, &c)
	if resp.StatusCode != 200 || c.DefaultValue != "50" || c.IsDynamicConfig {
		t.Fatalf("configuration %+v", c)
	}
}

func TestServerActionsNeedTheRightState(t *testing.T) {
	srv, _, st := newTestAPI(t)
	seedReady(t, st, validServer())
	resp, body := call(t, srv, "POST", "/v1/flexibleServers/demo/start", nil, nil)
	assertError(t, resp, body, 409, model.CodeConflict)
	resp, body = call(t, srv, "POST", "/v1/flexibleServers/demo/stop", nil, nil)
	if resp.StatusCode != 202 {
		t.Fatalf("stop: %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, srv, "POST", "/v1/flexibleServers/demo/explode", nil, nil)
	assertError(t, resp, body, 404, model.CodeNotFound)
}

// TestOperationShowsStepsNotPayload: GET of an operation lists its steps with their durations and never the
// payload (it may hold a password verifier).
func TestOperationShowsStepsNotPayload(t *testing.T) {
	srv, _, st := newTestAPI(t)
	end := time.Now()
	op := store.Operation{Operation: model.Operation{ID: "opx", Kind: "server.create", Status: model.OperationRunning,
		Steps: []model.OperationStep{{Name: "volume", StartedAt: end.Add(-time.Second), FinishedAt: &end, DurationMS: 1000, Outcome: model.StepOK}}},
		Payload: json.RawMessage(`{"verifier":"SCRAM-SHA-256$secret"}`)}
	if err := st.Update(func(tx *store.Tx) error { return tx.PutOperation(op) }); err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, srv, http.MethodGet, model.APIVersion+"/operations/opx", nil, nil)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "secret") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var got model.Operation
	if err := json.Unmarshal(body, &got); err != nil || len(got.Steps) != 1 || got.Steps[0].Name != "volume" || got.Steps[0].DurationMS != 1000 {
		t.Fatalf("%+v %v", got, err)
	}
}

// TestListOperations: GET /v1/operations lists operation documents (never payloads), filtered by status;
// a provider asks it before restarting a local cloud from another build.
func TestListOperations(t *testing.T) {
	srv, _, st := newTestAPI(t)
	err := st.Update(func(tx *store.Tx) error {
		for _, op := range []store.Operation{
			{Operation: model.Operation{ID: "op-run", Kind: "server.create", ResourceID: "/flexibleServers/a", Status: model.OperationRunning},
				Payload: []byte(`{"verifier":"SCRAM-SHA-256$secret"}`)},
			{Operation: model.Operation{ID: "op-done", Kind: "server.delete", ResourceID: "/flexibleServers/b", Status: model.OperationSucceeded}},
		} {
			if err := tx.PutOperation(op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string][]string{"?status=Running": {"op-run"}, "": {"op-done", "op-run"}, "?status=Failed": {}} {
		resp, body := call(t, srv, "GET", "/v1/operations"+query, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", query, resp.StatusCode, body)
		}
		if bytes.Contains(body, []byte("SCRAM")) || bytes.Contains(body, []byte(`"value":null`)) {
			t.Fatalf("%s: body %s", query, body)
		}
		var page struct{ Value []model.Operation }
		_ = json.Unmarshal(body, &page)
		var got []string
		for _, op := range page.Value {
			got = append(got, op.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("GET /v1/operations%s = %v, want %v", query, got, want)
		}
	}
}

// TestClock: GET /v1/clock answers the cloud's time, which an advance moves ahead of the machine's.
func TestClock(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var cloud clock.Clock
	srv := httptest.NewServer(New(Config{CloudID: "c1", Token: testToken, Store: st, Ops: &fakeOps{}, Scale: spec.DefaultScale,
		Clock: cloud.Now, AdvanceClock: cloud.Advance}))
	t.Cleanup(srv.Close)
	read := func() time.Time {
		t.Helper()
		resp, body := call(t, srv, "GET", "/v1/clock", nil, nil)
		var c model.Clock
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &c) != nil {
			t.Fatalf("GET /v1/clock: %d %s", resp.StatusCode, body)
		}
		return c.Now
	}
	before := time.Now()
	if now := read(); now.Before(before) || now.After(time.Now()) {
		t.Errorf("a clock never advanced reads %s, not the machine's time (%s)", now, before)
	}
	if resp, body := call(t, srv, "POST", "/v1/clock", model.ClockAdvance{Advance: "1h"}, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("advance: %d %s", resp.StatusCode, body)
	}
	if ahead := read().Sub(time.Now()); ahead < time.Hour-time.Second || ahead > time.Hour {
		t.Errorf("after a 1h advance the clock is %s ahead of the machine's", ahead)
	}
}
