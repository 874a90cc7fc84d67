package ledger

import (
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// Session names, as application_name, so that a test can find the harness's backends in pg_stat_activity
// (and an orchestrator under test can be shown to leave them alone).
const (
	WriterApplicationName  = "flexpg-ledger"
	SamplerApplicationName = "flexpg-ledger-sampler"
)

// connConfig parses dsn for one of the harness's sessions.
//
// A context that ends while a query runs must close the socket, never send a cancel request. That is pgx's
// default today, but it is pinned here because it matters: a cancel that reaches a backend waiting for
// synchronous replication ends the wait and turns the COMMIT into an acknowledged, possibly unreplicated
// commit (reference §6.2), so the harness would open the very hole it is meant to measure. A closed socket
// acts like a terminate: the client gets no verdict and records the attempt as unknown.
func connConfig(dsn string, connectTimeout time.Duration, applicationName string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = connectTimeout
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	cfg.RuntimeParams["application_name"] = applicationName
	return cfg, nil
}
