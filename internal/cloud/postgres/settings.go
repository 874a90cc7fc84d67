package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Reload asks the server to re-read postgresql.conf and pg_hba.conf (pg_reload_conf()). Dynamic settings and
// pg_hba rules apply to connections opened afterwards; static settings show up in PendingRestart.
func Reload(ctx context.Context, conn *pgx.Conn) error {
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_reload_conf()").Scan(&ok); err != nil {
		return fmt.Errorf("postgres: reload configuration: %w", err)
	}
	if !ok {
		return errors.New("postgres: reload configuration: pg_reload_conf() returned false")
	}
	return nil
}

// ShowSettings returns the live values of names, keyed by the names as given. Values come from
// pg_settings.setting, in the parameter's base unit as the configuration API reports them (shared_buffers in
// 8kB pages, not "128MB"); names pg_settings does not list (custom placeholders) fall back to
// current_setting. Unknown names are left out of the map.
func ShowSettings(ctx context.Context, conn *pgx.Conn, names []string) (map[string]string, error) {
	const q = `SELECT n.name, COALESCE(
	               (SELECT s.setting FROM pg_settings s WHERE lower(s.name) = lower(n.name)),
	               current_setting(n.name, true))
	           FROM unnest($1::text[]) AS n(name)`
	rows, err := conn.Query(ctx, q, names)
	if err != nil {
		return nil, fmt.Errorf("postgres: read settings: %w", err)
	}
	defer rows.Close()
	out := make(map[string]string, len(names))
	for rows.Next() {
		var name string
		var value *string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("postgres: read settings: %w", err)
		}
		if value != nil {
			out[name] = *value
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read settings: %w", err)
	}
	return out, nil
}
