package cli

import (
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// fakeReplicationCloud answers the metrics and virtual-endpoint routes of servers p1 (a primary with one
// public virtual endpoint) and r1 (a replica), and 404 for anything else.
func fakeReplicationCloud(t *testing.T) {
	t.Helper()
	lag, seconds := int64(8192), 0.25
	answers := map[string]any{
		"/v1/flexibleServers/p1/metrics": model.Metrics{MaxPhysicalReplicationLagBytes: &lag},
		"/v1/flexibleServers/r1/metrics": model.Metrics{ReadReplicaLagSeconds: &seconds, ReplicationState: "Active"},
		"/v1/flexibleServers/p1/virtualEndpoints": map[string]any{"value": []model.VirtualEndpoint{{
			Name: "app", Type: "ReadWrite", WriterServerID: "/flexibleServers/p1", ReaderServerID: "/flexibleServers/r1",
			WriterFQDN: "app.writer.postgres.flexpg.internal", ReaderFQDN: "app.reader.postgres.flexpg.internal",
			WriterHost: "127.0.0.1", WriterPort: 50010, ReaderHost: "127.0.0.1", ReaderPort: 50011,
		}}},
	}
	fakeCloud(t, answers)
}

func TestServerMetrics(t *testing.T) {
	fakeReplicationCloud(t)
	tests := []struct {
		args []string
		want []string // each a line of the output, spaces collapsed
	}{
		{[]string{"server", "metrics", "p1"}, []string{"max_physical_replication_lag_bytes 8192", "read_replica_lag_seconds -", "replication_state -"}},
		{[]string{"server", "metrics", "r1"}, []string{"max_physical_replication_lag_bytes -", "read_replica_lag_seconds 0.250", "replication_state Active"}},
		{[]string{"server", "metrics", "-json", "r1"}, []string{`"read_replica_lag_seconds": 0.25,`, `"replication_state": "Active"`}},
		{[]string{"server", "endpoints", "p1"}, []string{
			"app writer app.writer.postgres.flexpg.internal /flexibleServers/p1 127.0.0.1:50010",
			"app reader app.reader.postgres.flexpg.internal /flexibleServers/r1 127.0.0.1:50011",
		}},
	}
	for _, tt := range tests {
		expectLines(t, tt.args, tt.want)
	}
	if code, _, errOut := runCLI("server", "metrics", "nope"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("metrics of a missing server: exit %d, %s", code, errOut)
	}
}
