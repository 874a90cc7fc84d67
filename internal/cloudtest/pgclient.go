package cloudtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Conn describes how a test client connects to a server's host endpoint.
type Conn struct {
	Server   *model.Server
	User     string
	Password string
	Database string
	CAPEM    string
	// TLS: "verify-full" (default), "disable", or "tls1.1" (a client capped at TLS 1.1).
	Mode string
	// SourceIP is the local address to connect from (default: the kernel's choice, 127.0.0.1).
	SourceIP string
}

// Config builds a pgx configuration. verify-full checks the server certificate against the cloud CA and the
// server's FQDN while the TCP connection goes to the host endpoint, as `psql "host=<fqdn> hostaddr=127.0.0.1"`.
func (c Conn) Config() (*pgx.ConnConfig, error) {
	db := c.Database
	if db == "" {
		db = "postgres"
	}
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d dbname=%s sslmode=disable connect_timeout=10", c.Server.Host, c.Server.Port, db))
	if err != nil {
		return nil, err
	}
	cfg.User, cfg.Password = c.User, c.Password
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(c.CAPEM)) {
		return nil, fmt.Errorf("no CA certificate")
	}
	switch c.Mode {
	case "", "verify-full":
		cfg.TLSConfig = &tls.Config{RootCAs: pool, ServerName: c.Server.FQDN, MinVersion: tls.VersionTLS12}
	case "tls1.1":
		cfg.TLSConfig = &tls.Config{RootCAs: pool, ServerName: c.Server.FQDN, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	case "disable":
		cfg.TLSConfig = nil
	default:
		return nil, fmt.Errorf("unknown mode %q", c.Mode)
	}
	cfg.Fallbacks = nil
	if c.SourceIP != "" {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(c.SourceIP)}, Timeout: 10 * time.Second}
		cfg.DialFunc = d.DialContext
	}
	return cfg, nil
}

// Connect opens one connection.
func (c Conn) Connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := c.Config()
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// QueryString runs a one-value query on a fresh connection.
func (c Conn) QueryString(ctx context.Context, sql string) (string, error) {
	conn, err := c.Connect(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var v string
	err = conn.QueryRow(ctx, sql).Scan(&v)
	return v, err
}

// Eventually polls fn until it returns nil or the deadline passes, and returns the time it took.
func Eventually(ctx context.Context, timeout time.Duration, fn func() error) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := fn()
		if err == nil {
			return time.Since(start), nil
		}
		select {
		case <-ctx.Done():
			return time.Since(start), fmt.Errorf("condition not met within %s: %w", timeout, err)
		case <-tick.C:
		}
	}
}

// Exec runs statements (simple protocol, so several may be separated by semicolons) on a fresh connection.
func (c Conn) Exec(ctx context.Context, sql string) error {
	conn, err := c.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
