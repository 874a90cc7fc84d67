package acctest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"testing"
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
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		conn, err := connect(ctx, s, resourceAddress, "host", "port", login, password)
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

// CheckReachesPrimary connects, as login with password, to the host endpoint a resource's hostAttr and
// portAttr attributes name (a server's host and port, a virtual endpoint's writer_host and writer_port) and
// checks that the server there is a primary (wantPrimary) or a server in recovery, a read replica. It proves
// where a name leads after a promotion. The server there needs a firewall rule admitting 127.0.0.1.
func CheckReachesPrimary(resourceAddress, hostAttr, portAttr, login, password string, wantPrimary bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		conn, err := connect(ctx, s, resourceAddress, hostAttr, portAttr, login, password)
		if err != nil {
			return fmt.Errorf("connecting to %s through %s: %w", resourceAddress, hostAttr, err)
		}
		defer conn.Close(ctx)
		var inRecovery bool
		if err := conn.QueryRow(ctx, "select pg_is_in_recovery()").Scan(&inRecovery); err != nil {
			return fmt.Errorf("asking the server behind %s's %s: %w", resourceAddress, hostAttr, err)
		}
		if inRecovery == wantPrimary {
			return fmt.Errorf("%s's %s reaches a server with pg_is_in_recovery() = %v; want a primary: %v",
				resourceAddress, hostAttr, inRecovery, wantPrimary)
		}
		return nil
	}
}

// ExecOnServer runs sql as login on the server name, through the host endpoint the cloud reports for it,
// behind Terraform's back (a transaction a test needs on a primary). The server needs a firewall rule
// admitting 127.0.0.1.
func ExecOnServer(t *testing.T, name, login, password, sql string) {
	t.Helper()
	if err := onServer(name, login, password, func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, sql)
		return err
	}); err != nil {
		t.Fatalf("on server %s: %s: %v", name, sql, err)
	}
}

// QueryOnServer runs a query of one value as login on the server name, through the host endpoint the cloud
// reports for it, and returns the value as text (a NULL is ""). The server needs a firewall rule admitting
// 127.0.0.1.
func QueryOnServer(name, login, password, sql string) (string, error) {
	var v *string
	err := onServer(name, login, password, func(ctx context.Context, conn *pgx.Conn) error {
		return conn.QueryRow(ctx, sql).Scan(&v)
	})
	if err != nil || v == nil {
		return "", err
	}
	return *v, nil
}

// CheckQueryResult requires that a query of one value (see QueryOnServer) gives want: what a server holds,
// seen by a client.
func CheckQueryResult(name, login, password, sql, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := QueryOnServer(name, login, password, sql)
		if err != nil {
			return fmt.Errorf("on server %s: %s: %w", name, sql, err)
		}
		if got != want {
			return fmt.Errorf("on server %s: %s gives %q, want %q", name, sql, got, want)
		}
		return nil
	}
}

// onServer connects as login to the host endpoint the cloud reports for the server name and runs fn.
func onServer(name, login, password string, fn func(context.Context, *pgx.Conn) error) error {
	c, err := envClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
	defer cancel()
	s, err := c.GetServer(ctx, name)
	if err != nil {
		return fmt.Errorf("reading server %s: %w", name, err)
	}
	conn, err := dial(ctx, s.Host, strconv.Itoa(s.Port), login, password)
	if err != nil {
		return fmt.Errorf("connecting to server %s: %w", name, err)
	}
	defer conn.Close(ctx)
	return fn(ctx, conn)
}

// connect opens a TLS connection (sslmode=require) as login to the host endpoint that the attributes
// hostAttr and portAttr of a resource in state name.
func connect(ctx context.Context, s *terraform.State, resourceAddress, hostAttr, portAttr, login, password string) (*pgx.Conn, error) {
	rs, ok := s.RootModule().Resources[resourceAddress]
	if !ok {
		return nil, fmt.Errorf("%s is not in state", resourceAddress)
	}
	return dial(ctx, rs.Primary.Attributes[hostAttr], rs.Primary.Attributes[portAttr], login, password)
}

// dial opens a TLS connection (sslmode=require) as login to host:port.
func dial(ctx context.Context, host, port, login, password string) (*pgx.Conn, error) {
	if host == "" || port == "" || port == "0" {
		return nil, fmt.Errorf("no host endpoint (host %q, port %q)", host, port)
	}
	dsn := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(login, password),
		Host:     net.JoinHostPort(host, port),
		Path:     "/postgres",
		RawQuery: "sslmode=require",
	}
	return pgx.Connect(ctx, dsn.String())
}
