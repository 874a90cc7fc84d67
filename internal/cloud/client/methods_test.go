package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

var started = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func runningOp(id, kind string) *model.Operation {
	return &model.Operation{ID: id, Kind: kind, ResourceID: "/flexibleServers/db1", Status: model.OperationRunning,
		Step: "queued", StartedAt: started}
}

// TestMethods checks, for every method, the request on the wire (method, path, query, headers, body) and the
// decoding of the answer.
func TestMethods(t *testing.T) {
	pub := true
	server := model.Server{Name: "db1", Location: "westeurope", Version: "16", SKUName: "B_Standard_B1ms",
		StorageMB: 32768, AdministratorLogin: "admin1", PublicNetworkAccessEnabled: &pub,
		Tags: map[string]string{"env": "dev"}, FQDN: "db1.postgres.flexpg.internal", Port: 5432}
	rule := model.FirewallRule{Name: "office", ServerName: "db1", StartIPAddress: "10.0.0.1", EndIPAddress: "10.0.0.9"}
	cfg := model.Configuration{Name: "work_mem", Value: "8192", DefaultValue: "4096", Source: "user-override",
		IsDynamicConfig: true}
	db := model.Database{Name: "app", ServerName: "db1", Charset: "UTF8", Collation: "en_US.utf8"}
	endpoint := model.VirtualEndpoint{ID: "/flexibleServers/db1/virtualEndpoints/app", Name: "app",
		SourceServerID: "/flexibleServers/db1", ReplicaServerID: "/flexibleServers/db2", Type: "ReadWrite",
		WriterServerID: "/flexibleServers/db1", ReaderServerID: "/flexibleServers/db2",
		WriterFQDN: "app.writer.postgres.flexpg.internal", ReaderFQDN: "app.reader.postgres.flexpg.internal",
		WriterHost: "127.0.0.1", WriterPort: 50010, ReaderHost: "127.0.0.1", ReaderPort: 50011, ProvisioningState: "Succeeded"}
	lagBytes, lagSeconds := int64(4096), 1.5
	metrics := model.Metrics{MaxPhysicalReplicationLagBytes: &lagBytes, ReadReplicaLagSeconds: &lagSeconds, ReplicationState: "Active"}

	tests := []struct {
		name       string
		call       func(context.Context, *client.Client) (any, error)
		method     string
		path       string
		query      string
		header     map[string]string // request headers that must be present
		noHeader   []string          // request headers that must be absent
		wantBody   any               // JSON the request body must equal; nil means no body
		status     int
		reply      any    // JSON answer
		replyText  string // text answer, when reply is nil
		want       any
		wantNoAuth bool
	}{
		{
			name:   "Health",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Health(ctx) },
			method: "GET", path: "/v1/health", status: 200, wantNoAuth: true,
			reply: model.Health{CloudID: "c1", Version: "0.1.0", Build: "0.1.0+3f9a0c1b2d4e"},
			want:  &model.Health{CloudID: "c1", Version: "0.1.0", Build: "0.1.0+3f9a0c1b2d4e"},
		},
		{
			name:   "ListServers",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListServers(ctx) },
			method: "GET", path: "/v1/flexibleServers", status: 200,
			reply: map[string]any{"value": []model.Server{server}}, want: []model.Server{server},
		},
		{
			name:   "ListServers empty is not nil",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListServers(ctx) },
			method: "GET", path: "/v1/flexibleServers", status: 200,
			reply: map[string]any{"value": nil}, want: []model.Server{},
		},
		{
			name:   "GetServer",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.GetServer(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1", status: 200, reply: server, want: &server,
		},
		{
			name: "PutServer createOnly",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.PutServer(ctx, "db1", model.Server{Location: "westeurope", Version: "16",
					SKUName: "B_Standard_B1ms", AdministratorLogin: "admin1", AdministratorPassword: "pw"}, true)
			},
			method: "PUT", path: "/v1/flexibleServers/db1", status: 202,
			header: map[string]string{"If-None-Match": "*", "Content-Type": "application/json"},
			wantBody: map[string]any{"name": "db1", "location": "westeurope", "version": "16",
				"sku_name": "B_Standard_B1ms", "administrator_login": "admin1", "administrator_password": "pw",
				"auto_grow_enabled": false, "geo_redundant_backup_enabled": false},
			reply: runningOp("op-1", "server.create"), want: runningOp("op-1", "server.create"),
		},
		{
			name: "PutServer update",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.PutServer(ctx, "db1", model.Server{Name: "db1", StorageMB: 65536}, false)
			},
			method: "PUT", path: "/v1/flexibleServers/db1", status: 202, noHeader: []string{"If-None-Match"},
			wantBody: map[string]any{"name": "db1", "location": "", "version": "", "sku_name": "",
				"administrator_login": "", "storage_mb": float64(65536), "auto_grow_enabled": false,
				"geo_redundant_backup_enabled": false},
			reply: runningOp("op-2", "server.scale"), want: runningOp("op-2", "server.scale"),
		},
		{
			name:   "DeleteServer",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.DeleteServer(ctx, "db1") },
			method: "DELETE", path: "/v1/flexibleServers/db1", status: 202,
			reply: runningOp("op-3", "server.delete"), want: runningOp("op-3", "server.delete"),
		},
		{
			name:   "StartServer",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.StartServer(ctx, "db1") },
			method: "POST", path: "/v1/flexibleServers/db1/start", status: 202,
			reply: runningOp("op-4", "server.start"), want: runningOp("op-4", "server.start"),
		},
		{
			name:   "StopServer",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.StopServer(ctx, "db1") },
			method: "POST", path: "/v1/flexibleServers/db1/stop", status: 202,
			reply: runningOp("op-5", "server.stop"), want: runningOp("op-5", "server.stop"),
		},
		{
			name:   "RestartServer",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.RestartServer(ctx, "db1") },
			method: "POST", path: "/v1/flexibleServers/db1/restart", status: 202,
			reply: runningOp("op-6", "server.restart"), want: runningOp("op-6", "server.restart"),
		},
		{
			name: "FailoverServer",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.FailoverServer(ctx, "db1", model.FailoverPlanned)
			},
			method: "POST", path: "/v1/flexibleServers/db1/failover", status: 202,
			wantBody: map[string]any{"mode": "planned"},
			reply:    runningOp("op-7", "server.failover"), want: runningOp("op-7", "server.failover"),
		},
		{
			name: "InjectFault",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.InjectFault(ctx, model.Fault{Action: model.FaultKill, Server: "db1", Instance: "standby"})
			},
			method: "POST", path: "/v1/faults", status: 200,
			wantBody: map[string]any{"action": "kill", "server": "db1", "instance": "standby"},
			reply:    model.FaultResult{Action: "kill", Containers: []string{"flexpg-c1-db1-1"}},
			want:     &model.FaultResult{Action: "kill", Containers: []string{"flexpg-c1-db1-1"}},
		},
		{
			name:   "ListFirewallRules",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListFirewallRules(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1/firewallRules", status: 200,
			reply: map[string]any{"value": []model.FirewallRule{rule}}, want: []model.FirewallRule{rule},
		},
		{
			name: "GetFirewallRule",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.GetFirewallRule(ctx, "db1", "office")
			},
			method: "GET", path: "/v1/flexibleServers/db1/firewallRules/office", status: 200, reply: rule, want: &rule,
		},
		{
			name: "PutFirewallRule",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.PutFirewallRule(ctx, "db1", model.FirewallRule{Name: "office", StartIPAddress: "10.0.0.1",
					EndIPAddress: "10.0.0.9"})
			},
			method: "PUT", path: "/v1/flexibleServers/db1/firewallRules/office", status: 202,
			wantBody: map[string]any{"name": "office", "start_ip_address": "10.0.0.1", "end_ip_address": "10.0.0.9"},
			reply:    runningOp("op-7", "firewall.put"), want: runningOp("op-7", "firewall.put"),
		},
		{
			name: "DeleteFirewallRule",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.DeleteFirewallRule(ctx, "db1", "office")
			},
			method: "DELETE", path: "/v1/flexibleServers/db1/firewallRules/office", status: 202,
			reply: runningOp("op-8", "firewall.delete"), want: runningOp("op-8", "firewall.delete"),
		},
		{
			name:   "ListConfigurations",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListConfigurations(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1/configurations", status: 200,
			reply: map[string]any{"value": []model.Configuration{cfg}}, want: []model.Configuration{cfg},
		},
		{
			name: "GetConfiguration with a dotted name",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.GetConfiguration(ctx, "db1", "pg_qs.query_capture_mode")
			},
			method: "GET", path: "/v1/flexibleServers/db1/configurations/pg_qs.query_capture_mode", status: 200,
			reply: cfg, want: &cfg,
		},
		{
			name: "PutConfiguration",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.PutConfiguration(ctx, "db1", "work_mem", "8192")
			},
			method: "PUT", path: "/v1/flexibleServers/db1/configurations/work_mem", status: 202,
			wantBody: map[string]any{"value": "8192", "source": "user-override"},
			reply:    runningOp("op-9", "configuration.put"), want: runningOp("op-9", "configuration.put"),
		},
		{
			name: "ResetConfiguration",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.ResetConfiguration(ctx, "db1", "work_mem")
			},
			method: "DELETE", path: "/v1/flexibleServers/db1/configurations/work_mem", status: 202,
			reply: runningOp("op-10", "configuration.reset"), want: runningOp("op-10", "configuration.reset"),
		},
		{
			name:   "ListDatabases",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListDatabases(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1/databases", status: 200,
			reply: map[string]any{"value": []model.Database{db}}, want: []model.Database{db},
		},
		{
			name:   "GetDatabase",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.GetDatabase(ctx, "db1", "app") },
			method: "GET", path: "/v1/flexibleServers/db1/databases/app", status: 200, reply: db, want: &db,
		},
		{
			name: "PutDatabase",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.PutDatabase(ctx, "db1", model.Database{Name: "app", Charset: "UTF8"})
			},
			method: "PUT", path: "/v1/flexibleServers/db1/databases/app", status: 202,
			wantBody: map[string]any{"name": "app", "charset": "UTF8"},
			reply:    runningOp("op-11", "database.put"), want: runningOp("op-11", "database.put"),
		},
		{
			name:   "DeleteDatabase",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.DeleteDatabase(ctx, "db1", "app") },
			method: "DELETE", path: "/v1/flexibleServers/db1/databases/app", status: 202,
			reply: runningOp("op-12", "database.delete"), want: runningOp("op-12", "database.delete"),
		},
		{
			name:   "ListVirtualEndpoints",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListVirtualEndpoints(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1/virtualEndpoints", status: 200,
			reply: map[string]any{"value": []model.VirtualEndpoint{endpoint}}, want: []model.VirtualEndpoint{endpoint},
		},
		{
			name: "GetVirtualEndpoint",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.GetVirtualEndpoint(ctx, "db1", "app")
			},
			method: "GET", path: "/v1/flexibleServers/db1/virtualEndpoints/app", status: 200, reply: endpoint, want: &endpoint,
		},
		{
			name: "PutVirtualEndpoint",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.PutVirtualEndpoint(ctx, "db1", model.VirtualEndpoint{Name: "app", ReplicaServerID: "/flexibleServers/db2", Type: "ReadWrite"})
			},
			method: "PUT", path: "/v1/flexibleServers/db1/virtualEndpoints/app", status: 202,
			wantBody: map[string]any{"name": "app", "replica_server_id": "/flexibleServers/db2", "type": "ReadWrite"},
			reply:    runningOp("op-13", "virtualEndpoint.put"), want: runningOp("op-13", "virtualEndpoint.put"),
		},
		{
			name: "DeleteVirtualEndpoint",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.DeleteVirtualEndpoint(ctx, "db1", "app")
			},
			method: "DELETE", path: "/v1/flexibleServers/db1/virtualEndpoints/app", status: 202,
			reply: runningOp("op-14", "virtualEndpoint.delete"), want: runningOp("op-14", "virtualEndpoint.delete"),
		},
		{
			name:   "GetServerMetrics",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.GetServerMetrics(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1/metrics", status: 200, reply: metrics, want: &metrics,
		},
		{
			name:   "GetServerMetrics of a primary without replicas",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.GetServerMetrics(ctx, "db1") },
			method: "GET", path: "/v1/flexibleServers/db1/metrics", status: 200, reply: map[string]any{}, want: &model.Metrics{},
		},
		{
			name:   "Clock",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Clock(ctx) },
			method: "GET", path: "/v1/clock", status: 200, reply: model.Clock{Now: started}, want: started,
		},
		{
			name:   "GetCACertificate",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.GetCACertificate(ctx) },
			method: "GET", path: "/v1/caCertificate", status: 200,
			reply: model.CACertificate{CertificatePEM: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"},
			want:  "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
		},
		{
			name:   "GetOperation",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.GetOperation(ctx, "op-1") },
			method: "GET", path: "/v1/operations/op-1", status: 200,
			reply: runningOp("op-1", "server.create"), want: runningOp("op-1", "server.create"),
		},
		{
			name: "ListOperations running",
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.ListOperations(ctx, model.OperationRunning)
			},
			method: "GET", path: "/v1/operations", query: "status=Running", status: 200,
			reply: map[string]any{"value": []*model.Operation{runningOp("op-1", "server.create")}},
			want:  []model.Operation{*runningOp("op-1", "server.create")},
		},
		{
			name:   "ListOperations all, empty is not nil",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.ListOperations(ctx, "") },
			method: "GET", path: "/v1/operations", status: 200,
			reply: map[string]any{"value": nil}, want: []model.Operation{},
		},
		{
			name:   "Logs",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Logs(ctx, "db1", 50) },
			method: "GET", path: "/v1/flexibleServers/db1/logs", query: "tail=50", status: 200,
			header:    map[string]string{"Accept": "text/plain"},
			replyText: "LOG:  database system is ready to accept connections\n",
			want:      "LOG:  database system is ready to accept connections\n",
		},
		{
			name:   "Logs without tail",
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Logs(ctx, "db1", 0) },
			method: "GET", path: "/v1/flexibleServers/db1/logs", status: 200, replyText: "", want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if tt.reply == nil {
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(tt.status)
					_, _ = w.Write([]byte(tt.replyText))
					return
				}
				if tt.status == http.StatusAccepted {
					w.Header().Set("Location", "/v1/operations/x")
					w.Header().Set("Retry-After", "0")
				}
				writeJSON(w, tt.status, tt.reply)
			}, client.WithUserAgent("flexpg-test/1"))

			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result = %#v, want %#v", got, tt.want)
			}
			reqs := fake.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			if req.Method != tt.method || req.Path != tt.path || req.RawQuery != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", req.Method, req.Path, req.RawQuery, tt.method, tt.path, tt.query)
			}
			wantAuth := "Bearer " + testToken
			if tt.wantNoAuth {
				wantAuth = ""
			}
			if got := req.Header.Get("Authorization"); got != wantAuth {
				t.Errorf("Authorization = %q, want %q", got, wantAuth)
			}
			if got := req.Header.Get("User-Agent"); got != "flexpg-test/1" {
				t.Errorf("User-Agent = %q", got)
			}
			for k, v := range tt.header {
				if got := req.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tt.noHeader {
				if got := req.Header.Get(k); got != "" {
					t.Errorf("header %s = %q, want absent", k, got)
				}
			}
			checkBody(t, req.Body, tt.wantBody)
		})
	}
}

func checkBody(t *testing.T, body []byte, want any) {
	t.Helper()
	if want == nil {
		if len(body) != 0 {
			t.Errorf("request body = %s, want none", body)
		}
		return
	}
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("request body %q is not JSON: %v", body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request body = %v, want %v", got, want)
	}
}

// TestOperationIDFromLocation: an answer whose body lacks the ID still names the operation through Location.
func TestOperationIDFromLocation(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Location", "/v1/operations/op-77")
		writeJSON(w, http.StatusAccepted, model.Operation{Status: model.OperationRunning})
	})
	op, err := c.DeleteServer(context.Background(), "db1")
	if err != nil {
		t.Fatal(err)
	}
	if op.ID != "op-77" {
		t.Errorf("op.ID = %q, want op-77", op.ID)
	}
}

// TestPathEscaping: a name with a slash stays one path segment instead of addressing another route.
func TestPathEscaping(t *testing.T) {
	fake, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusOK, model.Database{Name: "a/b"})
	})
	if _, err := c.GetDatabase(context.Background(), "db1", "a/b"); err != nil {
		t.Fatal(err)
	}
	if got := fake.requests()[0].Path; got != "/v1/flexibleServers/db1/databases/a%2Fb" {
		t.Errorf("path = %q", got)
	}
}

// TestEmptyNameRefused: an empty name would hit the list route, so no request is sent at all.
func TestEmptyNameRefused(t *testing.T) {
	fake, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{}})
	})
	ctx := context.Background()
	calls := map[string]func() error{
		"GetServer":          func() error { _, err := c.GetServer(ctx, ""); return err },
		"DeleteServer":       func() error { _, err := c.DeleteServer(ctx, ""); return err },
		"PutFirewallRule":    func() error { _, err := c.PutFirewallRule(ctx, "db1", model.FirewallRule{}); return err },
		"ListDatabases":      func() error { _, err := c.ListDatabases(ctx, ""); return err },
		"GetVirtualEndpoint": func() error { _, err := c.GetVirtualEndpoint(ctx, "db1", ""); return err },
		"PutVirtualEndpoint": func() error { _, err := c.PutVirtualEndpoint(ctx, "", model.VirtualEndpoint{Name: "app"}); return err },
		"GetServerMetrics":   func() error { _, err := c.GetServerMetrics(ctx, ""); return err },
		"GetOperation":       func() error { _, err := c.GetOperation(ctx, ""); return err },
		"ResetConfiguration": func() error { _, err := c.ResetConfiguration(ctx, "db1", ""); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, client.ErrInvalid) {
			t.Errorf("%s with an empty name: err = %v, want ErrInvalid", name, err)
		}
	}
	if n := len(fake.requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

func TestEndpointNormalisation(t *testing.T) {
	tests := []struct {
		in, want string
		valid    bool
	}{
		{"http://127.0.0.1:8787", "http://127.0.0.1:8787", true},
		{"http://127.0.0.1:8787/", "http://127.0.0.1:8787", true},
		{"http://127.0.0.1:8787/v1/", "http://127.0.0.1:8787", true},
		{"https://cloud.example:443/prefix", "https://cloud.example:443/prefix", true},
		{"127.0.0.1:8787", "", false},
		{"ftp://127.0.0.1", "", false},
	}
	for _, tt := range tests {
		c := client.New(tt.in, testToken)
		_, err := c.Health(context.Background())
		if tt.valid {
			if got := c.Endpoint(); got != tt.want {
				t.Errorf("Endpoint(%q) = %q, want %q", tt.in, got, tt.want)
			}
			continue
		}
		if err == nil || errors.Is(err, client.ErrUnavailable) {
			t.Errorf("New(%q): call error = %v, want an invalid-endpoint error", tt.in, err)
		}
	}
}

// TestClientStringHidesToken: printing a client, even with %+v or %#v, never shows the token.
func TestClientStringHidesToken(t *testing.T) {
	c := client.New("http://127.0.0.1:1", "very-secret-token")
	for _, s := range []string{c.String(), fmtAll(c)} {
		if contains(s, "very-secret-token") {
			t.Errorf("client printed with its token: %s", s)
		}
	}
}
