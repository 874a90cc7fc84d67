package postgres

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Target is where a management connection goes. TLS must carry the management role's client certificate, the
// cloud CA as RootCAs and the server's FQDN as ServerName (pki.CA.ClientTLS builds it).
type Target struct {
	Host string
	Port int
	TLS  *tls.Config
	// Dial, when set, opens the TCP connection (the cloud marks its management sockets so the machine's
	// isolation rules let them reach private servers).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

const (
	attemptTimeout = 5 * time.Second // one connection attempt; WaitReady's context bounds the whole wait
	// A starting server answers within a second or so; a refused attempt costs little, while each step of a
	// long backoff is time a create or restart waits for nothing (the cap is the worst overshoot).
	firstBackoff   = 10 * time.Millisecond
	maxBackoff     = 80 * time.Millisecond
	applicationTag = "flexpg-cloud"
)

// Connect opens one management connection as the management role to the management database. It makes a
// single attempt; WaitReady retries.
func Connect(ctx context.Context, t Target) (*pgx.Conn, error) {
	cfg, err := managementConfig(t)
	if err != nil {
		return nil, err
	}
	conn, err := connectSession(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", net.JoinHostPort(t.Host, fmt.Sprint(t.Port)), err)
	}
	return conn, nil
}

// WaitReady connects, retrying with a short backoff while the server is not up yet (connection refused or
// reset, "the database system is starting up", timeouts) until ctx ends. Errors that waiting cannot fix (bad
// certificate, authentication refused) return at once.
func WaitReady(ctx context.Context, t Target) (*pgx.Conn, error) {
	backoff := firstBackoff
	for {
		conn, err := Connect(ctx, t)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (waiting ended: %w)", err, ctx.Err())
		}
		if !Retryable(err) {
			return nil, err
		}
		timer := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("%w (waiting ended: %w)", err, ctx.Err())
		case <-timer.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// retryableSQLStates are server answers that mean "not now" rather than "no".
var retryableSQLStates = map[string]bool{
	"57P03": true, // cannot_connect_now: starting up, shutting down, not yet consistent
	"57P01": true, // admin_shutdown: a restart is under way
	"57P02": true, // crash_shutdown
	"53300": true, // too_many_connections
}

// Retryable reports whether a connection error is one that waiting may cure: the server is starting or
// restarting, or the network path is not there yet. Certificate and authentication failures are final.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return retryableSQLStates[pgErr.Code] || strings.HasPrefix(pgErr.Code, "08")
	}
	if isCertificateError(err) {
		return false
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EPIPE} {
		if errors.Is(err, errno) {
			return true
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true // the server closed the socket mid-startup
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true // the cloud's DNS may not have the name yet
	}
	// A per-attempt timeout; WaitReady checks its own context separately.
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

func isCertificateError(err error) bool {
	var verifyErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verifyErr) || errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}

// managementConfig builds the pgx configuration. pgx insists on ParseConfig, which also reads PG* environment
// variables; everything that could change how or as whom we connect is set explicitly afterwards.
func managementConfig(t Target) (*pgx.ConnConfig, error) {
	if t.TLS == nil {
		return nil, errors.New("postgres: management connections require TLS with a client certificate")
	}
	if t.Host == "" || t.Port <= 0 || t.Port > 65535 {
		return nil, fmt.Errorf("postgres: invalid management target %q port %d", t.Host, t.Port)
	}
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		dsnQuote(t.Host), t.Port, ManagementRole, ManagementDatabase))
	if err != nil {
		return nil, fmt.Errorf("postgres: management config: %w", err)
	}
	cfg.Password = ""
	cfg.TLSConfig = t.TLS.Clone()
	cfg.SSLNegotiation = ""
	cfg.Fallbacks = nil
	cfg.ValidateConnect = nil
	cfg.RequireAuth = ""
	cfg.ConnectTimeout = attemptTimeout
	cfg.RuntimeParams = map[string]string{"application_name": applicationTag}
	if t.Dial != nil {
		cfg.DialFunc = t.Dial
	}
	cfg.DialFunc = sessionDialsOnly(cfg.DialFunc, nil) // never a cancel request (nocancel.go)
	return cfg, nil
}

// dsnQuote quotes a value for a keyword/value connection string.
func dsnQuote(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `'`, `\'`)
	return "'" + v + "'"
}
