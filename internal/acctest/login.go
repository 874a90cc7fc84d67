package acctest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// loginTimeout bounds one connection attempt of CheckAdminLogin.
const loginTimeout = 30 * time.Second

// pgInvalidPassword is PostgreSQL's SQLSTATE for a failed password authentication.
const pgInvalidPassword = "28P01"

// CheckAdminLogin connects to the server of a flexpg_server resource (its host and port attributes) over
// TLS as login with password. With wantOK it must succeed; without, it must fail with a password error, which
// proves a password change reached the server. The server needs a firewall rule admitting 127.0.0.1.
func CheckAdminLogin(resourceAddress, login, password string, wantOK bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[resourceAddress]
		if !ok {
			return fmt.Errorf("%s is not in state", resourceAddress)
		}
		host, port := rs.Primary.Attributes["host"], rs.Primary.Attributes["port"]
		if host == "" || port == "" {
			return fmt.Errorf("%s has no host endpoint (host %q, port %q)", resourceAddress, host, port)
		}
		dsn := url.URL{
			Scheme:   "postgres",
			User:     url.UserPassword(login, password),
			Host:     net.JoinHostPort(host, port),
			Path:     "/postgres",
			RawQuery: "sslmode=require",
		}
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn.String())
		if err == nil {
			defer conn.Close(ctx)
			err = conn.Ping(ctx)
		}
		var pgErr *pgconn.PgError
		switch {
		case wantOK && err != nil:
			return fmt.Errorf("logging in to %s as %s: %w", resourceAddress, login, err)
		case wantOK:
			return nil
		case err == nil:
			return fmt.Errorf("logging in to %s as %s succeeded; want a password error", resourceAddress, login)
		case errors.As(err, &pgErr) && pgErr.Code == pgInvalidPassword:
			return nil
		default:
			return fmt.Errorf("logging in to %s as %s: want a password error (SQLSTATE %s), got: %w",
				resourceAddress, login, pgInvalidPassword, err)
		}
	}
}
