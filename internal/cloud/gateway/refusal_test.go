package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A refused client must see exactly what PostgreSQL sends for a missing pg_hba.conf entry.
func TestRefusedClientGetsPgHbaError(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	refusalTLS := selfSigned(t, "srv.postgres.flexpg.internal")
	cases := []struct {
		name    string
		allow   []string
		noTLS   bool // Policy.RefusalTLS nil
		client  client
		want    string
		viaCert bool // the refusal came inside TLS with the server's certificate
	}{
		{
			name:   "plaintext, no rules",
			client: client{opts: "sslmode=disable", db: "shop"},
			want:   `no pg_hba.conf entry for host "127.0.0.1", user "alice", database "shop", no encryption`,
		},
		{
			name:   "plaintext, other range",
			allow:  []string{"10.0.0.0/8", "127.0.0.2/32"},
			client: client{opts: "sslmode=disable", user: "bob"},
			want:   `no pg_hba.conf entry for host "127.0.0.1", user "bob", database "bob", no encryption`,
		},
		{
			name:    "TLS via SSLRequest",
			client:  client{opts: "sslmode=require", db: "shop"},
			want:    `no pg_hba.conf entry for host "127.0.0.1", user "alice", database "shop", SSL encryption`,
			viaCert: true,
		},
		{
			name:    "direct TLS",
			client:  client{opts: "sslmode=require sslnegotiation=direct", db: "shop"},
			want:    `no pg_hba.conf entry for host "127.0.0.1", user "alice", database "shop", SSL encryption`,
			viaCert: true,
		},
		{
			name:   "sslmode=prefer without a certificate falls back to plaintext",
			noTLS:  true,
			client: client{opts: "sslmode=prefer", db: "shop"},
			want:   `no pg_hba.conf entry for host "127.0.0.1", user "alice", database "shop", no encryption`,
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Policy{Allow: allow(tc.allow...), RefusalTLS: refusalTLS}
			if tc.noTLS {
				p.RefusalTLS = nil
			}
			addr := open(t, g, Endpoint{Name: "ep" + string(rune('a'+i)), Backend: backend.addr(), Policy: p})
			var certs [][]byte
			tc.client.peerCerts = &certs
			_, err := tc.client.connect(t, addr)
			pe := pgErr(t, err)
			if pe.Code != "28000" || pe.Severity != "FATAL" || pe.Message != tc.want {
				t.Fatalf("got %s %s %q, want FATAL 28000 %q", pe.Severity, pe.Code, pe.Message, tc.want)
			}
			if tc.viaCert && (len(certs) == 0 || !bytes.Equal(certs[0], leaf(refusalTLS))) {
				t.Fatalf("refusal was not sent inside TLS with the server certificate")
			}
		})
	}
	if n := backend.connections(); n != 0 {
		t.Fatalf("refused clients reached the backend %d times", n)
	}
}

func TestRefusedClientWithoutCertificateCannotRequireTLS(t *testing.T) {
	g, _ := testGateway(t)
	addr := open(t, g, Endpoint{Name: "db"})
	_, err := client{opts: "sslmode=require"}.connect(t, addr)
	if err == nil || !strings.Contains(err.Error(), "server refused TLS connection") {
		t.Fatalf("want the client to report the refused TLS, got %v", err)
	}
}

func TestRequireSecureTransportRefusesPlaintextFromAllowedAddress(t *testing.T) {
	g, _ := testGateway(t)
	backendTLS := selfSigned(t, "backend")
	backend := newFakeBackend(t, backendTLS)
	addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{
		Allow: allow("127.0.0.0/8"), RequireSecureTransport: true, RefusalTLS: selfSigned(t, "refusal"),
	}})

	_, err := client{opts: "sslmode=disable", db: "shop"}.connect(t, addr)
	pe := pgErr(t, err)
	want := `no pg_hba.conf entry for host "127.0.0.1", user "alice", database "shop", no encryption`
	if pe.Code != "28000" || pe.Message != want {
		t.Fatalf("got %s %q, want 28000 %q", pe.Code, pe.Message, want)
	}
	if _, err := (client{opts: "sslmode=require"}).connect(t, addr); err != nil {
		t.Fatalf("TLS from an allowed address must pass: %v", err)
	}
}

// Distinct loopback addresses are distinct clients: the rule is checked against the TCP peer address.
func TestFirewallUsesRealClientAddress(t *testing.T) {
	g, _ := testGateway(t)
	backend := newFakeBackend(t, nil)
	cases := []struct {
		rule    string
		from    string
		refused bool
	}{
		{rule: "127.0.0.1/32", from: "127.0.0.2", refused: true},
		{rule: "127.0.0.2/32", from: "127.0.0.1", refused: true},
		{rule: "127.0.0.2/32", from: "127.0.0.2"},
		{rule: "127.0.0.1/32", from: "127.0.0.1"},
		{rule: "127.0.0.0/30", from: "127.0.0.2"},
	}
	for _, tc := range cases {
		t.Run(tc.rule+" from "+tc.from, func(t *testing.T) {
			addr := open(t, g, Endpoint{Name: "db", Backend: backend.addr(), Policy: Policy{Allow: allow(tc.rule)}})
			from := loopback1
			if tc.from == loopback2.String() {
				from = loopback2
			}
			_, err := client{from: from, opts: "sslmode=disable"}.connect(t, addr)
			if !tc.refused {
				if err != nil {
					t.Fatalf("allowed client refused: %v", err)
				}
				return
			}
			pe := pgErr(t, err)
			if pe.Code != "28000" || !strings.HasPrefix(pe.Message, `no pg_hba.conf entry for host "`+tc.from+`"`) {
				t.Fatalf("got %s %q", pe.Code, pe.Message)
			}
		})
	}
}

// Every refusal leaves one structured log line naming client, endpoint and reason, and never the password.
func TestRefusalIsLogged(t *testing.T) {
	g, logs := testGateway(t)
	addr := open(t, g, Endpoint{Name: "logged", Policy: Policy{Allow: allow("10.1.2.3/32")}})
	if _, err := (client{opts: "sslmode=disable", db: "shop"}).connect(t, addr); err == nil {
		t.Fatal("want refusal")
	}
	var found map[string]any
	for line := range strings.Lines(logs.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "connection refused" {
			found = rec
		}
	}
	if found == nil {
		t.Fatalf("no refusal logged:\n%s", logs)
	}
	for k, want := range map[string]string{"endpoint": "logged", "reason": "firewall", "user": "alice",
		"database": "shop", "sqlstate": "28000", "transport": "no encryption"} {
		if found[k] != want {
			t.Errorf("log %s = %v, want %q", k, found[k], want)
		}
	}
	if c, _ := found["client"].(string); !strings.HasPrefix(c, "127.0.0.1:") {
		t.Errorf("log client = %q, want 127.0.0.1:<port>", c)
	}
	if strings.Contains(logs.String(), "canary-secret") {
		t.Fatal("password appears in the log")
	}
	if st, _ := g.Stats("logged"); st.Refused != 1 || st.Forwarded != 0 {
		t.Fatalf("stats = %+v", st)
	}
}
