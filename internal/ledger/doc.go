// Package ledger is the workload and checker of the HA reliability tests (BAR-D1..D4, BAR-F1, BAR-T2/T3 of
// the reliability reference): concurrent writers commit unique (writer, seq) rows through one DSN and record
// every attempt's outcome in the three-outcome model (acked, failed, unknown); after the faults, unknown
// outcomes are resolved by transaction ID on the new primary and the table is compared with what clients
// were told. It also measures the client-observed write gap around each fault and, with a Sampler, checks
// that no two instances acknowledged writes at the same time.
//
// It talks to PostgreSQL only through pgx and knows nothing of the cloud, so the same library serves Docker
// integration tests, `make reliability` and `make bench`.
//
// A drill:
//
//	l, err := ledger.Run(ctx, ledger.Config{DSN: writerEndpoint})
//	...
//	l.MarkFault("forced-failover")
//	// inject the fault, wait for HA to be healthy again
//	l.Stop(ctx)
//	l.Resolve(ctx, writerEndpoint) // unknown outcomes, asked of the new primary
//	report, err := l.Check(ctx, writerEndpoint)
//	t.Log(report.Summary())
//	if !report.OK() { t.Fatal("ledger anomalies") }
package ledger
