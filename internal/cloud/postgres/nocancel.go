package postgres

import (
	"context"
	"errors"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// errCancelRefused is what a dial outside a connect gets: see sessionDialsOnly.
var errCancelRefused = errors.New("postgres: refusing a connection that is not a session's own: the cloud sends no cancel requests (BAR-D4)")

// sessionDial marks the context of a connect (connectSession), the only context sessionDialsOnly dials in.
type sessionDial struct{}

// sessionDialsOnly makes pgx sessions unable to send cancel requests. pgx sends one over a connection of its
// own, dialled with the session's DialFunc, not only when asked (PgConn.CancelRequest) but also by itself
// whenever a query's context ends: it cancels before it closes the socket (asyncClose). A commit waiting for
// the synchronous standby that is cancelled returns success although the standby may not have its WAL
// (ha-reliability §6.2, BAR-D4), so no session of the cloud may cancel. pgx dials a session's own connection
// with the connect's context, and the cancel connection with a context of its own; so dial refuses every
// context connectSession did not mark, and the cancel fails before anything reaches the server. The
// waiting backend keeps waiting; the cloud ends it with pg_terminate_backend when it must. refused, when
// set, is told of each refusal.
func sessionDialsOnly(dial pgconn.DialFunc, refused func()) pgconn.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if ctx.Value(sessionDial{}) == nil {
			if refused != nil {
				refused()
			}
			return nil, errCancelRefused
		}
		return dial(ctx, network, addr)
	}
}

// connectSession opens a session with cfg, whose DialFunc sessionDialsOnly wrapped.
func connectSession(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	return pgx.ConnectConfig(context.WithValue(ctx, sessionDial{}, true), cfg)
}
