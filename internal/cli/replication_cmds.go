package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
)

// The replication verbs of `cloud server`: metrics (the lag of a primary's replicas, or of a replica) and
// endpoints (the virtual endpoints created on a server and where their names lead now).

// absent is how a table shows a value the cloud does not report.
const absent = "-"

// showMetrics prints a server's replication metrics: the JSON document with asJSON, else a table.
func showMetrics(ctx context.Context, e *env, c *client.Client, name string, asJSON bool) error {
	m, err := c.GetServerMetrics(ctx, name)
	if err != nil {
		return err
	}
	if asJSON {
		out, _ := json.MarshalIndent(m, "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return nil
	}
	lagBytes, lagSeconds, state := absent, absent, absent
	if m.MaxPhysicalReplicationLagBytes != nil {
		lagBytes = strconv.FormatInt(*m.MaxPhysicalReplicationLagBytes, 10)
	}
	if m.ReadReplicaLagSeconds != nil {
		lagSeconds = strconv.FormatFloat(*m.ReadReplicaLagSeconds, 'f', 3, 64)
	}
	if m.ReplicationState != "" {
		state = m.ReplicationState
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVALUE")
	fmt.Fprintf(tw, "max_physical_replication_lag_bytes\t%s\n", lagBytes)
	fmt.Fprintf(tw, "read_replica_lag_seconds\t%s\n", lagSeconds)
	fmt.Fprintf(tw, "replication_state\t%s\n", state)
	return tw.Flush()
}

// listEndpoints prints the virtual endpoints created on a server: each name, the server it reaches now and
// its host endpoint on this machine.
func listEndpoints(ctx context.Context, e *env, c *client.Client, name string) error {
	eps, err := c.ListVirtualEndpoints(ctx, name)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tFQDN\tSERVER\tHOST ENDPOINT")
	for _, ep := range eps {
		fmt.Fprintf(tw, "%s\twriter\t%s\t%s\t%s\n", ep.Name, ep.WriterFQDN, ep.WriterServerID, hostEndpoint(ep.WriterHost, ep.WriterPort))
		fmt.Fprintf(tw, "%s\treader\t%s\t%s\t%s\n", ep.Name, ep.ReaderFQDN, ep.ReaderServerID, hostEndpoint(ep.ReaderHost, ep.ReaderPort))
	}
	return tw.Flush()
}

// hostEndpoint is host:port, or absent for a private endpoint, which has none.
func hostEndpoint(host string, port int) string {
	if port == 0 {
		return absent
	}
	return fmt.Sprintf("%s:%d", host, port)
}
