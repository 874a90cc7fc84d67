package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// fakeCloud is a small in-memory stand-in for the cloud's HTTP API, enough to drive the provider's CRUD code
// through real `terraform apply` runs without Docker. It answers every mutation with an operation that has
// already finished, keeps the documents the provider sent, and lets a test change things behind
// Terraform's back (grow storage, delete a server) or inject failures.
type fakeCloud struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	servers   map[string]*model.Server
	passwords map[string][]string // every administrator password received, per server
	rules     map[string]map[string]*model.FirewallRule
	databases map[string]map[string]*model.Database
	params    map[string]map[string]*model.Configuration
	restarts  map[string]int
	nextPort  int
	network   fakeNetworks // fake_cloud_network_test.go

	// Injected faults.
	failCreate bool // the next server create operation fails after being accepted
	busy       int  // the next mutations answer 409 ServerBusy this many times
}

const fakeToken = "fake-token"

// fakeParameters are the catalog entries the fake knows: one static, one dynamic.
var fakeParameters = map[string]model.Configuration{
	"max_connections": {Name: "max_connections", Value: "50", DefaultValue: "50", Source: "system-default", DataType: "integer"},
	"work_mem":        {Name: "work_mem", Value: "4096", DefaultValue: "4096", Source: "system-default", DataType: "integer", IsDynamicConfig: true},
}

func newFakeCloud(t *testing.T) *fakeCloud {
	f := &fakeCloud{
		t:         t,
		servers:   map[string]*model.Server{},
		passwords: map[string][]string{},
		rules:     map[string]map[string]*model.FirewallRule{},
		databases: map[string]map[string]*model.Database{},
		params:    map[string]map[string]*model.Configuration{},
		restarts:  map[string]int{},
		nextPort:  50001,
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// providerHCL configures the provider for this fake.
func (f *fakeCloud) providerHCL() string {
	return fmt.Sprintf("provider \"flexpg\" {\n  endpoint = %q\n  token    = %q\n}\n", f.srv.URL, fakeToken)
}

// with runs fn with the fake's state locked, for tests that change or inspect it.
func (f *fakeCloud) with(fn func(f *fakeCloud)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeCloud) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+fakeToken {
		writeError(w, http.StatusUnauthorized, model.CodeUnauthorized, "bad token")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, model.APIVersion+"/"), "/")
	if r.Method != http.MethodGet && f.busy > 0 {
		f.busy--
		writeError(w, http.StatusConflict, model.CodeServerBusy, "another operation is running on the server")
		return
	}
	switch {
	case parts[0] == "caCertificate" && len(parts) == 1:
		writeJSON(w, http.StatusOK, model.CACertificate{CertificatePEM: "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"})
	case parts[0] == spec.CollectionServers && len(parts) == 2:
		f.serveServer(w, r, parts[1])
	case parts[0] == spec.CollectionServers && len(parts) == 3:
		f.serveAction(w, parts[1], parts[2])
	case parts[0] == spec.CollectionVirtualNetworks || parts[0] == spec.CollectionPrivateDNSZones:
		f.serveNetwork(w, r, parts)
	case parts[0] == spec.CollectionServers && len(parts) == 4:
		if _, ok := f.servers[parts[1]]; !ok {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "no such server")
			return
		}
		f.serveChild(w, r, parts[1], parts[2], parts[3])
	default:
		writeError(w, http.StatusNotFound, model.CodeNotFound, "no such route")
	}
}

func (f *fakeCloud) serveServer(w http.ResponseWriter, r *http.Request, name string) {
	s, exists := f.servers[name]
	switch r.Method {
	case http.MethodGet:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "no such server")
			return
		}
		writeJSON(w, http.StatusOK, s)
	case http.MethodPut:
		var body model.Server
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, model.CodeInvalidParameter, err.Error())
			return
		}
		if exists && r.Header.Get("If-None-Match") == "*" {
			writeError(w, http.StatusConflict, model.CodeAlreadyExists, "server exists")
			return
		}
		if body.AdministratorPassword != "" {
			f.passwords[name] = append(f.passwords[name], body.AdministratorPassword)
		}
		next := f.complete(body, s)
		f.servers[name] = next
		if !exists && f.failCreate {
			f.failCreate = false
			next.ProvisioningState = "Failed"
			writeOperation(w, spec.ServerID(name), &model.Error{Code: model.CodeInternal, Message: "container failed to start"})
			return
		}
		writeOperation(w, spec.ServerID(name), nil)
	case http.MethodDelete:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "no such server")
			return
		}
		delete(f.servers, name)
		delete(f.rules, name)
		delete(f.databases, name)
		delete(f.params, name)
		writeOperation(w, spec.ServerID(name), nil)
	}
}

// complete fills in what the cloud decides: defaults and computed attributes. prev is the current server.
func (f *fakeCloud) complete(body model.Server, prev *model.Server) *model.Server {
	s := body
	s.AdministratorPassword = ""
	s.ID = spec.ServerID(s.Name)
	s.FQDN = spec.ServerFQDN(s.Name)
	if s.Zone == "" {
		s.Zone = "1"
	}
	if s.Version == "" {
		s.Version = spec.DefaultVersion
	}
	if s.StorageMB == 0 {
		s.StorageMB = spec.DefaultStorageMB
	}
	if s.StorageTier == "" {
		s.StorageTier, _ = spec.DefaultStorageTier(s.StorageMB)
	}
	if s.BackupRetentionDays == 0 {
		s.BackupRetentionDays = spec.DefaultBackupRetentionDays
	}
	if s.PublicNetworkAccessEnabled == nil {
		public := s.DelegatedSubnetID == ""
		s.PublicNetworkAccessEnabled = &public
	}
	if s.State == "" {
		s.State = spec.StateReady
	}
	if *s.PublicNetworkAccessEnabled {
		s.Host = "127.0.0.1"
		if prev != nil {
			s.Port = prev.Port
		} else {
			s.Port = f.nextPort
			f.nextPort++
		}
	}
	s.ProvisioningState = "Succeeded"
	s.EarliestRestoreTime = "2025-01-01T00:00:00Z"
	s.ReplicaCapacity = 5
	return &s
}

func (f *fakeCloud) serveAction(w http.ResponseWriter, name, action string) {
	s, ok := f.servers[name]
	if !ok {
		writeError(w, http.StatusNotFound, model.CodeNotFound, "no such server")
		return
	}
	switch action {
	case "start":
		s.State = spec.StateReady
	case "stop":
		s.State = spec.StateStopped
	case "restart":
		f.restarts[name]++
		for _, p := range f.params[name] {
			p.IsConfigPendingRestart = false
		}
	default:
		writeError(w, http.StatusNotFound, model.CodeNotFound, "no such action")
		return
	}
	writeOperation(w, spec.ServerID(name), nil)
}

func (f *fakeCloud) serveChild(w http.ResponseWriter, r *http.Request, server, collection, name string) {
	switch collection {
	case spec.CollectionFirewallRules:
		serveDocument(w, r, f.rules, server, name, spec.FirewallRuleID(server, name), func(rule *model.FirewallRule) {
			rule.Name, rule.ServerName, rule.ID = name, server, spec.FirewallRuleID(server, name)
		})
	case spec.CollectionDatabases:
		serveDocument(w, r, f.databases, server, name, spec.DatabaseID(server, name), func(db *model.Database) {
			db.Name, db.ServerName, db.ID = name, server, spec.DatabaseID(server, name)
			db.Charset, _ = spec.CanonicalCharset(db.Charset) // the cloud reports catalog spelling
		})
	case spec.CollectionConfigurations:
		f.serveConfiguration(w, r, server, name)
	default:
		writeError(w, http.StatusNotFound, model.CodeNotFound, "no such collection")
	}
}

func (f *fakeCloud) serveConfiguration(w http.ResponseWriter, r *http.Request, server, name string) {
	def, ok := fakeParameters[name]
	if !ok {
		writeError(w, http.StatusNotFound, model.CodeNotFound, "no such parameter")
		return
	}
	if f.params[server] == nil {
		f.params[server] = map[string]*model.Configuration{}
	}
	cfg := f.params[server][name]
	if cfg == nil {
		c := def
		c.ID = spec.ConfigurationID(server, name)
		cfg = &c
		f.params[server][name] = cfg
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, cfg)
		return
	case http.MethodPut:
		var body struct{ Value string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		cfg.Value, cfg.Source = body.Value, "user-override"
	case http.MethodDelete:
		cfg.Value, cfg.Source = cfg.DefaultValue, "system-default"
	}
	cfg.IsConfigPendingRestart = !cfg.IsDynamicConfig
	writeOperation(w, cfg.ID, nil)
}

// serveDocument is GET/PUT/DELETE of a document kept per server.
func serveDocument[T any](w http.ResponseWriter, r *http.Request, store map[string]map[string]*T, server, name, id string, fill func(*T)) {
	doc, exists := store[server][name]
	switch r.Method {
	case http.MethodGet:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "not found")
			return
		}
		writeJSON(w, http.StatusOK, doc)
	case http.MethodPut:
		var body T
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, model.CodeInvalidParameter, err.Error())
			return
		}
		fill(&body)
		if store[server] == nil {
			store[server] = map[string]*T{}
		}
		store[server][name] = &body
		writeOperation(w, id, nil)
	case http.MethodDelete:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "not found")
			return
		}
		delete(store[server], name)
		writeOperation(w, id, nil)
	}
}

// writeOperation answers 202 with an operation that has already finished, failed when opErr is set.
func writeOperation(w http.ResponseWriter, resourceID string, opErr *model.Error) {
	now := time.Now()
	op := model.Operation{ID: "op-" + fmt.Sprint(now.UnixNano()), Kind: "fake", ResourceID: resourceID,
		Status: model.OperationSucceeded, Step: "done", StartedAt: now, FinishedAt: &now}
	if opErr != nil {
		op.Status, op.Error = model.OperationFailed, opErr
	}
	writeJSON(w, http.StatusAccepted, op)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, model.ErrorResponse{Error: model.Error{Code: code, Message: message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// testServerDocument is a server as someone else created it, for tests that start with one in the cloud.
func testServerDocument(name string) model.Server {
	return model.Server{Name: name, Location: "westeurope", SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin"}
}
