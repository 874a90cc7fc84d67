package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// serverMetrics are the replication metrics of the flexpg_server data source, null where a metric does not
// apply to the server.
type serverMetrics struct {
	lagBytes   types.Int64
	lagSeconds types.Float64
}

// flattenMetrics maps the API's absent metrics (nil) to null.
func flattenMetrics(m *model.Metrics) serverMetrics {
	out := serverMetrics{lagBytes: types.Int64Null(), lagSeconds: types.Float64Null()}
	if m == nil {
		return out
	}
	if m.MaxPhysicalReplicationLagBytes != nil {
		out.lagBytes = types.Int64Value(*m.MaxPhysicalReplicationLagBytes)
	}
	if m.ReadReplicaLagSeconds != nil {
		out.lagSeconds = types.Float64Value(*m.ReadReplicaLagSeconds)
	}
	return out
}

// readMetrics reads the metrics of a server the caller has just read. A cloud that has none for it (it
// answers NotFound because the server was deleted a moment ago, or 405 because it predates the metrics
// route) leaves them null, with a warning, rather than failing a data source whose other attributes are known.
func readMetrics(ctx context.Context, c *client.Client, name string, diags *diag.Diagnostics) serverMetrics {
	m, err := c.GetServerMetrics(ctx, name)
	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrNotFound), errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusMethodNotAllowed:
		diags.AddWarning("Replication Metrics Unavailable", fmt.Sprintf("The flexpg cloud reports no metrics for "+
			"server %q, so max_physical_replication_lag_bytes and read_replica_lag_seconds are null.\n\nOriginal Error: %s", name, err))
		return flattenMetrics(nil)
	case err != nil:
		addAPIError(diags, "Error Reading Server Metrics", fmt.Sprintf("Could not read the replication metrics of server %q", name), err)
		return flattenMetrics(nil)
	}
	return flattenMetrics(m)
}
