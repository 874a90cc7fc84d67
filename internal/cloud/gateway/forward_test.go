package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// startupBytes builds a protocol 3.0 StartupMessage by hand.
func startupBytes(params ...string) []byte {
	b := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	for _, p := range params {
		b = append(append(b, p...), 0)
	}
	b = append(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// An allowed client's bytes reach the backend unchanged, first message included, and the reply comes back.
func TestAllowedBytesPassUnchanged(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}})

	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	query, _ := (&pgproto3.Query{String: "select 1"}).Encode(nil)
	terminate, _ := (&pgproto3.Terminate{}).Encode(nil)
	sent := append(startupBytes("user", "alice", "database", "shop", "application_name", "t\x01\xff"), query...)

	if _, err := conn.Write(sent); err != nil {
		t.Fatal(err)
	}
	var want []byte
	want, _ = (&pgproto3.AuthenticationOk{}).Encode(want)
	want, _ = (&pgproto3.ParameterStatus{Name: "server_version", Value: "17.0"}).Encode(want)
	want, _ = (&pgproto3.BackendKeyData{ProcessID: 4242, SecretKey: []byte{1, 2, 3, 4}}).Encode(want)
	want, _ = (&pgproto3.ReadyForQuery{TxStatus: 'I'}).Encode(want)
	want, _ = (&pgproto3.EmptyQueryResponse{}).Encode(want)
	want, _ = (&pgproto3.ReadyForQuery{TxStatus: 'I'}).Encode(want)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(conn, got); err != nil {
		t.Fatalf("reading the backend's reply: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("client received\n% x\nwant\n% x", got, want)
	}
	if _, err := conn.Write(terminate); err != nil {
		t.Fatal(err)
	}
	rec := backend.nextRecord(t)
	if wantRec := append(sent, terminate...); !bytes.Equal(rec, wantRec) {
		t.Fatalf("backend received\n% x\nwant\n% x", rec, wantRec)
	}
	// The backend closed after Terminate; the client must see EOF, not a hang.
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after backend close: n=%d err=%v, want EOF", n, err)
	}
	if st, _ := g.Stats("db"); st.Forwarded != 1 || st.Refused != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

// TLS is end to end: the client sees the backend's certificate, not the gateway's refusal certificate.
func TestAllowedTLSIsEndToEnd(t *testing.T) {
	g, _ := testGateway(t)
	backendTLS := selfSigned(t, "backend")
	backend := newFakeBackend(t, backendTLS)
	addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(),
		Policy: Policy{Allow: allow("127.0.0.1/32"), RequireSecureTransport: true, RefusalTLS: selfSigned(t, "refusal")}})
	for _, opts := range []string{"sslmode=require", "sslmode=require sslnegotiation=direct"} {
		t.Run(opts, func(t *testing.T) {
			var certs [][]byte
			conn, err := client{opts: opts, peerCerts: &certs}.connect(t, addr)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			if len(certs) == 0 || !bytes.Equal(certs[0], leaf(backendTLS)) {
				t.Fatal("client did not see the backend's certificate")
			}
			if err := conn.Exec(context.Background(), "select 1").Close(); err != nil {
				t.Fatalf("query through the gateway: %v", err)
			}
			if got := conn.ParameterStatus("server_version"); got != "17.0" {
				t.Fatalf("server_version = %q", got)
			}
		})
	}
}

// The backend's own errors (and its closing the connection) reach the client untouched.
func TestBackendErrorPassesThrough(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	backend.reject = &pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "28P01",
		Message: `password authentication failed for user "alice"`}
	addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{Allow: allow("127.0.0.1/32")}})
	_, err := client{opts: "sslmode=disable"}.connect(t, addr)
	if pe := pgErr(t, err); pe.Code != "28P01" || pe.Message != backend.reject.Message {
		t.Fatalf("got %s %q", pe.Code, pe.Message)
	}
}

func TestBackendUnavailable(t *testing.T) {
	g, _ := testGateway(t)
	refusalTLS := selfSigned(t, "srv")
	closedPort, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, backend, opts string
	}{
		{"no backend, plaintext", "", "sslmode=disable"},
		{"no backend, TLS", "", "sslmode=require"},
		{"no backend, direct TLS", "", "sslmode=require sslnegotiation=direct"},
		{"dial fails", net.JoinHostPort("127.0.0.1", strconv.Itoa(closedPort)), "sslmode=require"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := open(t, g, Endpoint{Name: "db", Backend: tc.backend,
				Policy: Policy{Allow: allow("127.0.0.1/32"), RefusalTLS: refusalTLS}})
			_, err := client{opts: tc.opts}.connect(t, addr)
			pe := pgErr(t, err)
			if pe.Code != "57P03" || pe.Message != "the database system is not accepting connections" {
				t.Fatalf("got %s %q", pe.Code, pe.Message)
			}
		})
	}
	// Pointing the endpoint at a live backend takes effect for the next connection.
	backend := newFakeBackend(t, nil)
	addr, _ := g.Addr("db")
	if err := g.SetBackend("db", backend.addr()); err != nil {
		t.Fatal(err)
	}
	if _, err := (client{opts: "sslmode=disable"}).connect(t, addr); err != nil {
		t.Fatalf("after SetBackend: %v", err)
	}
	if st, _ := g.Stats("db"); st.Unavailable != 4 || st.Forwarded != 1 {
		t.Fatalf("stats = %+v", st)
	}
}
