package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DataSize is the disk the instance uses: every database plus the WAL directory. It needs the management
// role (pg_ls_waldir is restricted).
func DataSize(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var size int64
	err := conn.QueryRow(ctx, `SELECT (SELECT coalesce(sum(pg_database_size(oid)), 0) FROM pg_database)::bigint
		+ (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::bigint`).Scan(&size)
	if err != nil {
		return 0, fmt.Errorf("postgres: measure data size: %w", err)
	}
	return size, nil
}
