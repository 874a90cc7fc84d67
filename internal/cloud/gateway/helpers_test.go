package gateway

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

var (
	loopback1 = netip.MustParseAddr("127.0.0.1")
	loopback2 = netip.MustParseAddr("127.0.0.2")
)

// selfSigned returns a TLS server config with a fresh self-signed certificate for cn.
func selfSigned(t *testing.T, cn string) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     []string{cn},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
	}
}

// leaf returns the DER of the certificate a server config presents.
func leaf(cfg *tls.Config) []byte { return cfg.Certificates[0].Certificate[0] }

// fakeBackend is a minimal PostgreSQL server: it negotiates TLS like PostgreSQL 17 (SSLRequest or direct
// TLS), answers a StartupMessage with AuthenticationOk … ReadyForQuery (or with a FATAL when reject is set),
// answers every Query with EmptyQueryResponse + ReadyForQuery, and records the raw bytes it received.
type fakeBackend struct {
	ln     net.Listener
	tls    *tls.Config // nil answers 'N' to SSLRequest
	reject *pgproto3.ErrorResponse

	wg       sync.WaitGroup
	mu       sync.Mutex
	accepted int
	records  chan []byte // raw bytes of each finished connection
}

func newFakeBackend(t *testing.T, tlsCfg *tls.Config) *fakeBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{ln: ln, tls: tlsCfg, records: make(chan []byte, 64)}
	f.wg.Go(f.acceptLoop)
	t.Cleanup(func() {
		ln.Close()
		f.wg.Wait()
	})
	return f
}

func (f *fakeBackend) addr() string { return f.ln.Addr().String() }

func (f *fakeBackend) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted
}

func (f *fakeBackend) acceptLoop() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.accepted++
		f.mu.Unlock()
		f.wg.Go(func() { f.serve(c) })
	}
}

// recordingConn keeps every byte read from the network.
type recordingConn struct {
	net.Conn
	got bytes.Buffer
}

func (r *recordingConn) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	r.got.Write(b[:n])
	return n, err
}

func (f *fakeBackend) serve(raw net.Conn) {
	rec := &recordingConn{Conn: raw}
	defer func() {
		raw.Close()
		f.records <- rec.got.Bytes()
	}()
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	var conn net.Conn = rec
	for {
		msg, err := readFirstMessage(conn)
		if err != nil {
			return
		}
		switch msg.kind {
		case kindSSLRequest:
			if f.tls == nil {
				if _, err := conn.Write([]byte{'N'}); err != nil {
					return
				}
				continue
			}
			if _, err := conn.Write([]byte{'S'}); err != nil {
				return
			}
			conn = tls.Server(conn, f.tls)
		case kindDirectTLS:
			cfg := f.tls.Clone()
			cfg.NextProtos = []string{alpnPostgres}
			conn = tls.Server(&prefixedConn{Conn: conn, r: io.MultiReader(bytes.NewReader(msg.raw), conn)}, cfg)
		case kindStartup:
			f.session(conn)
			return
		default: // a CancelRequest (or anything else): PostgreSQL closes at once
			return
		}
	}
}

// session answers the startup and then every simple query until Terminate or EOF.
func (f *fakeBackend) session(conn net.Conn) {
	if f.reject != nil {
		buf, _ := f.reject.Encode(nil)
		_, _ = conn.Write(buf)
		return
	}
	var out []byte
	out, _ = (&pgproto3.AuthenticationOk{}).Encode(out)
	out, _ = (&pgproto3.ParameterStatus{Name: "server_version", Value: "17.0"}).Encode(out)
	out, _ = (&pgproto3.BackendKeyData{ProcessID: 4242, SecretKey: []byte{1, 2, 3, 4}}).Encode(out)
	out, _ = (&pgproto3.ReadyForQuery{TxStatus: 'I'}).Encode(out)
	if _, err := conn.Write(out); err != nil {
		return
	}
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr[1:]) - 4
		if n > 1<<20 {
			return
		}
		if _, err := io.CopyN(io.Discard, conn, int64(n)); err != nil {
			return
		}
		switch hdr[0] {
		case 'X':
			return
		case 'Q':
			var reply []byte
			reply, _ = (&pgproto3.EmptyQueryResponse{}).Encode(reply)
			reply, _ = (&pgproto3.ReadyForQuery{TxStatus: 'I'}).Encode(reply)
			if _, err := conn.Write(reply); err != nil {
				return
			}
		}
	}
}

// nextRecord waits for the raw bytes of the next finished backend connection.
func (f *fakeBackend) nextRecord(t *testing.T) []byte {
	t.Helper()
	select {
	case r := <-f.records:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("backend recorded no finished connection")
		return nil
	}
}

// testGateway returns a gateway with short timeouts, logging JSON into the returned buffer.
func testGateway(t *testing.T) (*Gateway, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	g := New(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	g.timeouts = timeouts{startup: 2 * time.Second, dial: time.Second, drain: time.Second}
	t.Cleanup(g.CloseAll)
	return g, logs
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func open(t *testing.T, g *Gateway, ep Endpoint) netip.AddrPort {
	t.Helper()
	if ep.Listen == "" {
		ep.Listen = "127.0.0.1:0"
	}
	addr, err := g.Open(ep)
	if err != nil {
		t.Fatalf("Open(%s): %v", ep.Name, err)
	}
	return addr
}

func allow(prefixes ...string) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

// client describes a test connection made with pgconn, the client library the provider uses.
type client struct {
	from      netip.Addr // local address to dial from; zero = kernel's choice (127.0.0.1)
	opts      string     // extra connection-string settings, e.g. "sslmode=require"
	user, db  string
	peerCerts *[][]byte // when set, receives the DER of the certificates the server presented
}

func (c client) connect(t *testing.T, addr netip.AddrPort) (*pgconn.PgConn, error) {
	t.Helper()
	user := c.user
	if user == "" {
		user = "alice"
	}
	connStr := fmt.Sprintf("host=%s port=%d user=%s password=canary-secret connect_timeout=5 %s",
		addr.Addr(), addr.Port(), user, c.opts)
	if c.db != "" {
		connStr += " dbname=" + c.db
	}
	cfg, err := pgconn.ParseConfig(connStr)
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if c.from.IsValid() {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: c.from.AsSlice()}}
		cfg.DialFunc = d.DialContext
	}
	if c.peerCerts != nil && cfg.TLSConfig != nil {
		cfg.TLSConfig.VerifyConnection = func(cs tls.ConnectionState) error {
			for _, crt := range cs.PeerCertificates {
				*c.peerCerts = append(*c.peerCerts, crt.Raw)
			}
			return nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// pgErr extracts the server error a connect attempt failed with.
func pgErr(t *testing.T, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want a PostgreSQL error, got %v", err)
	}
	return pe
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
