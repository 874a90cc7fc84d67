package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

const leafValidityYears = 2

// IssueServer issues a TLS server certificate for fqdn. The SANs are fqdn, extraDNS and ips, so a client with
// sslmode=verify-full accepts the server under any of those names; the CN repeats fqdn for old clients.
func (ca *CA) IssueServer(fqdn string, extraDNS []string, ips []net.IP) (certPEM, keyPEM []byte, err error) {
	if fqdn == "" {
		return nil, nil, errors.New("pki: server certificate needs an FQDN")
	}
	dns := append([]string{fqdn}, extraDNS...)
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: fqdn},
		DNSNames:    dns,
		IPAddresses: append([]net.IP(nil), ips...),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	return ca.issue(tmpl)
}

// IssueClient issues a TLS client certificate whose CN is the PostgreSQL role it authenticates (pg_hba method
// "cert" matches the CN against the role name).
func (ca *CA) IssueClient(commonName string) (certPEM, keyPEM []byte, err error) {
	if commonName == "" {
		return nil, nil, errors.New("pki: client certificate needs a common name")
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return ca.issue(tmpl)
}

// ClientTLS returns the TLS configuration for a management connection: it presents the given client
// certificate, trusts only this CA and checks that the server's certificate names serverName.
func (ca *CA) ClientTLS(serverName string, certPEM, keyPEM []byte) (*tls.Config, error) {
	if serverName == "" {
		return nil, errors.New("pki: client TLS needs a server name to verify")
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: client key pair: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		RootCAs:      ca.Pool(),
		ServerName:   serverName,
		Certificates: []tls.Certificate{pair},
	}, nil
}

// issue fills in what every leaf shares (fresh key, serial, validity) and signs tmpl.
func (ca *CA) issue(tmpl *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: generate key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-clockSkew)
	tmpl.NotAfter = now.AddDate(leafValidityYears, 0, 0)
	// A leaf that outlives its CA would fail verification anyway; make the real limit visible in the leaf.
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	tmpl.BasicConstraintsValid = true
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: sign certificate for %q: %w", tmpl.Subject.CommonName, err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return encodeCert(der), keyPEM, nil
}

// randomSerial returns a positive 128-bit serial number, as RFC 5280 recommends for unpredictability.
func randomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}
