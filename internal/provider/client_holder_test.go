package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// skewedCloud is a local cloud of another build with one operation running: the provider must not restart
// it, and must say why and what to do.
func skewedCloud(t *testing.T) (home string, srv *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(model.Health{CloudID: "cloud-1", Version: "dev", Build: "dev+000000000000"})
	})
	mux.HandleFunc("GET /v1/operations", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string][]model.Operation{"value": {{ID: "op-7", Kind: "server.create",
			ResourceID: "/flexibleServers/db1", Status: model.OperationRunning}}})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	home = t.TempDir()
	// No such process: were the provider to try a restart, it would find nothing to stop and fail to start a
	// cloud from this test binary, never a BusyError.
	if err := local.WriteInfo(home, local.Info{Endpoint: srv.URL, Token: "tok", CloudID: "cloud-1", PID: goneProcess(t)}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FLEXPG_HOME", home)
	return home, srv
}

func TestClientSkewedLocalCloudBusy(t *testing.T) {
	skewedCloud(t)
	var diags diag.Diagnostics
	if c := clientFrom(context.Background(), newClientHolder(connectionSettings{}, "test"), &diags); c != nil {
		t.Fatal("got a client for a local cloud of another build")
	}
	if len(diags) != 1 || diags[0].Summary() != "Local flexpg Cloud Runs Another Build" {
		t.Fatalf("diagnostics %v", diags)
	}
	for _, want := range []string{"build dev+000000000000", "this binary is build test+", "server.create of /flexibleServers/db1 (operation op-7)", "cloud down"} {
		if !strings.Contains(diags[0].Detail(), want) {
			t.Errorf("detail does not say %q:\n%s", want, diags[0].Detail())
		}
	}
}

// The same cloud named as the endpoint is the user's choice: it is used as it is.
func TestClientSkewedExplicitEndpointUsed(t *testing.T) {
	_, srv := skewedCloud(t)
	var diags diag.Diagnostics
	c := clientFrom(context.Background(), newClientHolder(connectionSettings{Endpoint: srv.URL, Token: "tok"}, "test"), &diags)
	if c == nil || diags.HasError() {
		t.Fatalf("client %v, diagnostics %v", c, diags)
	}
}

// goneProcess returns the PID of a process that has exited and been reaped.
func goneProcess(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}
