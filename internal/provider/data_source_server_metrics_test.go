package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

func TestFlattenMetrics(t *testing.T) {
	lag, seconds := int64(0), 2.5
	for _, tt := range []struct {
		name string
		in   *model.Metrics
		want serverMetrics
	}{
		{"none", nil, serverMetrics{types.Int64Null(), types.Float64Null()}},
		{"a primary without replicas", &model.Metrics{}, serverMetrics{types.Int64Null(), types.Float64Null()}},
		{"a primary whose replica is caught up", &model.Metrics{MaxPhysicalReplicationLagBytes: &lag},
			serverMetrics{types.Int64Value(0), types.Float64Null()}},
		{"a replica", &model.Metrics{ReadReplicaLagSeconds: &seconds, ReplicationState: "Active"},
			serverMetrics{types.Int64Null(), types.Float64Value(2.5)}},
	} {
		if got := flattenMetrics(tt.in); !got.lagBytes.Equal(tt.want.lagBytes) || !got.lagSeconds.Equal(tt.want.lagSeconds) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// A cloud without metrics for the server leaves them null with a warning; any other failure is an error.
func TestReadMetricsFailures(t *testing.T) {
	for _, tt := range []struct {
		status  int
		code    string
		warning bool
	}{
		{http.StatusNotFound, model.CodeNotFound, true},
		{http.StatusMethodNotAllowed, "", true}, // a cloud from before the metrics route
		{http.StatusInternalServerError, model.CodeInternal, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tt.status)
			_ = json.NewEncoder(w).Encode(model.ErrorResponse{Error: model.Error{Code: tt.code, Message: "no"}})
		}))
		var diags diag.Diagnostics
		got := readMetrics(context.Background(), client.New(srv.URL, "t"), "p1", &diags)
		srv.Close()
		if diags.HasError() == tt.warning || (tt.warning && diags.WarningsCount() != 1) {
			t.Errorf("status %d: diagnostics %v", tt.status, diags)
		}
		if !got.lagBytes.IsNull() || !got.lagSeconds.IsNull() {
			t.Errorf("status %d: metrics %+v, want null", tt.status, got)
		}
	}
}
