package pki

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func newTestCA(t *testing.T) (*CA, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ca")
	ca, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatalf("LoadOrCreateCA: %v", err)
	}
	return ca, dir
}

func parseLeaf(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	cert, err := decodeCert(certPEM)
	if err != nil {
		t.Fatalf("decode leaf: %v", err)
	}
	return cert
}

func TestCACertificate(t *testing.T) {
	ca, dir := newTestCA(t)
	cert := parseLeaf(t, ca.CertPEM())
	if cert.Subject.CommonName != "flexpg local cloud CA" || !cert.IsCA {
		t.Fatalf("CA subject %q IsCA=%v", cert.Subject.CommonName, cert.IsCA)
	}
	if years := cert.NotAfter.Sub(cert.NotBefore).Hours() / 24 / 365; years < 9.9 || years > 10.1 {
		t.Errorf("CA validity = %.2f years, want 10", years)
	}
	info, err := os.Stat(filepath.Join(dir, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("ca.key mode = %o, want 600", perm)
	}
}

func TestServerCertificateVerifiesOnlyForItsNames(t *testing.T) {
	ca, _ := newTestCA(t)
	certPEM, keyPEM, err := ca.IssueServer("db1.postgres.flexpg.internal", []string{"db1"}, []net.IP{net.ParseIP("10.1.2.3")})
	if err != nil {
		t.Fatalf("IssueServer: %v", err)
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatalf("key pair: %v", err)
	}
	leaf := parseLeaf(t, certPEM)
	if leaf.Subject.CommonName != "db1.postgres.flexpg.internal" {
		t.Errorf("CN = %q", leaf.Subject.CommonName)
	}
	if days := leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24; days < 725 || days > 735 {
		t.Errorf("server validity = %.0f days, want about 730", days)
	}
	tests := []struct {
		name   string
		wantOK bool
	}{
		{"db1.postgres.flexpg.internal", true},
		{"db1", true},
		{"10.1.2.3", true},
		{"db2.postgres.flexpg.internal", false},
		{"postgres.flexpg.internal", false},
		{"10.1.2.4", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{
				DNSName:   tc.name,
				Roots:     ca.Pool(),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if (err == nil) != tc.wantOK {
				t.Fatalf("Verify(%q) err = %v, want ok=%v", tc.name, err, tc.wantOK)
			}
		})
	}
	// A server certificate must not double as a client credential.
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("server certificate verified for client auth")
	}
}

func TestServerCertificateNotTrustedByAnotherCA(t *testing.T) {
	ca, _ := newTestCA(t)
	other, _ := newTestCA(t)
	certPEM, _, err := ca.IssueServer("db1.postgres.flexpg.internal", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseLeaf(t, certPEM).Verify(x509.VerifyOptions{DNSName: "db1.postgres.flexpg.internal", Roots: other.Pool()})
	if err == nil {
		t.Fatal("certificate verified against a different CA")
	}
}

func TestClientCertificate(t *testing.T) {
	ca, _ := newTestCA(t)
	certPEM, _, err := ca.IssueClient("azuresu")
	if err != nil {
		t.Fatalf("IssueClient: %v", err)
	}
	leaf := parseLeaf(t, certPEM)
	if leaf.Subject.CommonName != "azuresu" {
		t.Errorf("CN = %q, want azuresu", leaf.Subject.CommonName)
	}
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Errorf("ExtKeyUsage = %v, want [clientAuth]", leaf.ExtKeyUsage)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate does not verify for client auth: %v", err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("client certificate verified for server auth")
	}
}

func TestReloadReturnsSameCA(t *testing.T) {
	ca, dir := newTestCA(t)
	again, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if !bytes.Equal(ca.CertPEM(), again.CertPEM()) {
		t.Fatal("reloaded CA certificate differs")
	}
	// The reloaded key must be the same key: what it signs verifies against the original pool.
	certPEM, _, err := again.IssueServer("db1.postgres.flexpg.internal", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseLeaf(t, certPEM).Verify(x509.VerifyOptions{DNSName: "db1.postgres.flexpg.internal", Roots: ca.Pool()}); err != nil {
		t.Fatalf("certificate from reloaded CA does not verify against original: %v", err)
	}
}

func TestLoadRefusesBrokenCA(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"missing key", func(t *testing.T, dir string) { mustRemove(t, filepath.Join(dir, "ca.key")) }},
		{"missing cert", func(t *testing.T, dir string) { mustRemove(t, filepath.Join(dir, "ca.crt")) }},
		{"foreign key", func(t *testing.T, dir string) {
			_, otherDir := newTestCA(t)
			data, err := os.ReadFile(filepath.Join(otherDir, "ca.key"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "ca.key"), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage cert", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "ca.crt"), []byte("not pem"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, dir := newTestCA(t)
			tc.damage(t, dir)
			if _, err := LoadOrCreateCA(dir); err == nil {
				t.Fatal("LoadOrCreateCA accepted a broken CA")
			}
		})
	}
}

func mustRemove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// TestClientTLSHandshake runs a real mutual-TLS handshake: the server requires a client certificate from the CA
// and the client checks the server name.
func TestClientTLSHandshake(t *testing.T) {
	ca, _ := newTestCA(t)
	srvCert, srvKey, err := ca.IssueServer("db1.postgres.flexpg.internal", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cliCert, cliKey, err := ca.IssueClient("azuresu")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	serverCfg := &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()}

	tests := []struct {
		serverName string
		wantOK     bool
	}{
		{"db1.postgres.flexpg.internal", true},
		{"db2.postgres.flexpg.internal", false},
	}
	for _, tc := range tests {
		t.Run(tc.serverName, func(t *testing.T) {
			clientCfg, err := ca.ClientTLS(tc.serverName, cliCert, cliKey)
			if err != nil {
				t.Fatal(err)
			}
			if clientCfg.MinVersion != tls.VersionTLS12 {
				t.Errorf("MinVersion = %x", clientCfg.MinVersion)
			}
			peerCN, clientErr := handshake(t, serverCfg, clientCfg)
			if (clientErr == nil) != tc.wantOK {
				t.Fatalf("handshake err = %v, want ok=%v", clientErr, tc.wantOK)
			}
			if tc.wantOK && peerCN != "azuresu" {
				t.Errorf("server saw client CN %q", peerCN)
			}
		})
	}
}

// handshake connects a TLS client and server over an in-memory pipe and returns the client CN the server saw
// and the client's handshake error.
func handshake(t *testing.T, serverCfg, clientCfg *tls.Config) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	cnCh := make(chan string, 1)
	go func() {
		srv := tls.Server(c2, serverCfg)
		if err := srv.HandshakeContext(ctx); err != nil {
			cnCh <- ""
			c2.Close()
			return
		}
		cnCh <- srv.ConnectionState().PeerCertificates[0].Subject.CommonName
	}()
	cli := tls.Client(c1, clientCfg)
	err := cli.HandshakeContext(ctx)
	if err != nil {
		c1.Close()
	}
	return <-cnCh, err
}
