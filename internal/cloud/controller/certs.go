package controller

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// serverCert returns the server's certificate and key, issuing them on first use. They are kept on disk so
// the gateway can answer refused TLS clients with the same certificate after a restart of the cloud.
func (c *Controller) serverCert(server string) (certPEM, keyPEM []byte, err error) {
	dir := filepath.Join(c.cfg.CertDir, server)
	certPath, keyPath := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	certPEM, err1 := os.ReadFile(certPath)
	keyPEM, err2 := os.ReadFile(keyPath)
	if err1 == nil && err2 == nil {
		return certPEM, keyPEM, nil
	}
	if !errors.Is(err1, fs.ErrNotExist) && err1 != nil {
		return nil, nil, err1
	}
	fqdn := spec.ServerFQDN(server)
	// localhost and 127.0.0.1 are in the certificate too, so a client on the machine can verify the
	// server through its host endpoint even without the FQDN in its resolver. So are the names of virtual
	// endpoints (wildcards, as the service's certificate is one wildcard for every server): a virtual
	// endpoint passes the TLS session through to whichever server it reaches, which verify-full accepts
	// under the endpoint's name.
	certPEM, keyPEM, err = c.cfg.CA.IssueServer(fqdn, []string{"localhost", spec.WriterFQDN("*"), spec.ReaderFQDN("*")},
		[]net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, nil, fmt.Errorf("issue certificate for %s: %w", fqdn, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return nil, nil, err
	}
	return certPEM, keyPEM, nil
}

func (c *Controller) forgetServerCert(server string) error {
	return os.RemoveAll(filepath.Join(c.cfg.CertDir, server))
}

// refusalTLS is the TLS configuration the gateway uses to tell a refused client why, like PostgreSQL would.
func (c *Controller) refusalTLS(server string) (*tls.Config, error) {
	certPEM, keyPEM, err := c.serverCert(server)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// mgmtCert is the client certificate of the cloud's internal role; only the cloud holds it.
type mgmtCert struct {
	once     sync.Once
	cert     []byte
	key      []byte
	issueErr error
}

func (c *Controller) managementTLS(server string) (*tls.Config, error) {
	c.mgmt.once.Do(func() {
		c.mgmt.cert, c.mgmt.key, c.mgmt.issueErr = c.cfg.CA.IssueClient(managementRole)
	})
	if c.mgmt.issueErr != nil {
		return nil, c.mgmt.issueErr
	}
	return c.cfg.CA.ClientTLS(spec.ServerFQDN(server), c.mgmt.cert, c.mgmt.key)
}

// managementRole is the cloud's internal superuser. It authenticates by client certificate only and is never
// exposed; the admin login the user chooses is not a superuser.
const managementRole = "azuresu"
