package postgres

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

func TestRetryable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"admin shutdown", fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"no hba entry", &pgconn.PgError{Code: "28000"}, false},
		{"bad password", &pgconn.PgError{Code: "28P01"}, false},
		{"missing database", &pgconn.PgError{Code: "3D000"}, false},
		{"connection refused", fmt.Errorf("connect: %w", refused), true},
		{"connection reset", &net.OpError{Op: "read", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, true},
		{"no route", &net.OpError{Op: "dial", Err: &os.SyscallError{Syscall: "connect", Err: syscall.EHOSTUNREACH}}, true},
		{"eof", fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{"dns", &net.DNSError{Err: "no such host", Name: "db.postgres.flexpg.internal", IsNotFound: true}, true},
		{"attempt timeout", fmt.Errorf("timeout: %w", context.DeadlineExceeded), true},
		{"unknown authority", fmt.Errorf("tls: %w", x509.UnknownAuthorityError{}), false},
		{"wrong host", &tls.CertificateVerificationError{Err: x509.HostnameError{Host: "x"}}, false},
		{"other", errors.New("something else"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Retryable(tc.err); got != tc.want {
				t.Fatalf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestConnectNeedsTLS(t *testing.T) {
	if _, err := Connect(context.Background(), Target{Host: "127.0.0.1", Port: 5432}); err == nil {
		t.Fatal("Connect without TLS succeeded")
	}
}

// closedPort returns a local port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestWaitReadyGivesUpAtDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := WaitReady(ctx, Target{Host: "127.0.0.1", Port: closedPort(t), TLS: &tls.Config{ServerName: "x"}})
	if err == nil {
		t.Fatal("WaitReady succeeded against a closed port")
	}
	// The last attempt may end in "refused" or be cut short by the deadline itself; either way the deadline
	// must be visible to errors.Is.
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v should carry the deadline", err)
	}
	if elapsed := time.Since(start); elapsed < 350*time.Millisecond || elapsed > 5*time.Second {
		t.Fatalf("WaitReady gave up after %v, want about the 400ms deadline", elapsed)
	}
}

// fakeServer speaks just enough of the PostgreSQL protocol to accept the TLS upgrade and answer each startup
// with an error: the codes in order, repeating the last.
type fakeServer struct {
	l        net.Listener
	attempts atomic.Int32
}

func startFakeServer(t *testing.T, tlsCfg *tls.Config, codes ...string) *fakeServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{l: l}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n := int(s.attempts.Add(1))
			code := codes[min(n, len(codes))-1]
			go s.serve(c, tlsCfg, code)
		}
	}()
	return s
}

func (s *fakeServer) serve(c net.Conn, tlsCfg *tls.Config, code string) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	msg, err := pgproto3.NewBackend(c, c).ReceiveStartupMessage()
	if err != nil {
		return
	}
	if _, ok := msg.(*pgproto3.SSLRequest); !ok {
		return
	}
	if _, err := c.Write([]byte{'S'}); err != nil {
		return
	}
	tc := tls.Server(c, tlsCfg)
	be := pgproto3.NewBackend(tc, tc)
	if _, err := be.ReceiveStartupMessage(); err != nil {
		return
	}
	be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: code, Message: "fake " + code})
	_ = be.Flush()
}

func fakeTLS(t *testing.T) (serverCfg, clientCfg *tls.Config) {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer("fake.postgres.flexpg.internal", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cliCert, cliKey, err := ca.IssueClient(ManagementRole)
	if err != nil {
		t.Fatal(err)
	}
	clientCfg, err = ca.ClientTLS("fake.postgres.flexpg.internal", cliCert, cliKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}}, clientCfg
}

// TestWaitReadyRetriesStartup shows the classification with real pgconn errors: two "starting up" answers are
// waited out, the "no pg_hba.conf entry" answer after them ends the wait at once.
func TestWaitReadyRetriesStartup(t *testing.T) {
	serverCfg, clientCfg := fakeTLS(t)
	s := startFakeServer(t, serverCfg, "57P03", "57P03", "28000")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := WaitReady(ctx, Target{Host: "127.0.0.1", Port: s.l.Addr().(*net.TCPAddr).Port, TLS: clientCfg})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28000" {
		t.Fatalf("WaitReady error = %v, want the final 28000", err)
	}
	if n := s.attempts.Load(); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	if ctx.Err() != nil {
		t.Fatal("WaitReady waited for the deadline instead of stopping at a final error")
	}
}

// TestWaitReadyStopsOnCertificateError: a server whose certificate names another host is not waited for.
func TestWaitReadyStopsOnCertificateError(t *testing.T) {
	serverCfg, clientCfg := fakeTLS(t)
	clientCfg.ServerName = "other.postgres.flexpg.internal"
	s := startFakeServer(t, serverCfg, "57P03")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := WaitReady(ctx, Target{Host: "127.0.0.1", Port: s.l.Addr().(*net.TCPAddr).Port, TLS: clientCfg})
	if err == nil || Retryable(err) {
		t.Fatalf("error %v should be a final certificate error", err)
	}
	if n := s.attempts.Load(); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}
