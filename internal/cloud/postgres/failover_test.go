package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestManagementConnectionsNeverCancel guards BAR-D4: a management session's DialFunc dials only for a
// connect (connectSession); any other dial, which is how pgx sends a cancel request (also by itself, when a
// query's context ends), is refused without reaching the network, for copies of the configuration too.
func TestManagementConnectionsNeverCancel(t *testing.T) {
	var dials int
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials++
		client, server := net.Pipe()
		server.Close()
		return client, nil
	}
	cfg, err := managementConfig(Target{Host: "db", Port: 5432, TLS: &tls.Config{}, Dial: dial})
	if err != nil {
		t.Fatal(err)
	}
	session := context.WithValue(context.Background(), sessionDial{}, true)
	for i, c := range []*pgx.ConnConfig{cfg, cfg.Copy()} {
		conn, err := c.DialFunc(session, "tcp", "10.0.0.2:5432")
		if err != nil {
			t.Fatalf("config %d: a connect's dial: %v", i, err)
		}
		conn.Close()
		if _, err := c.DialFunc(context.Background(), "tcp", "10.0.0.2:5432"); !errors.Is(err, errCancelRefused) {
			t.Fatalf("config %d: a dial outside a connect: %v, want errCancelRefused", i, err)
		}
	}
	if dials != 2 {
		t.Fatalf("%d dials reached the network, want 2", dials)
	}
}

// TestNothingCancels: no code of the package calls pg_cancel_backend or sends a cancel request (BAR-D4); the
// cloud terminates sessions or shuts servers down instead.
func TestNothingCancels(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	cancel := regexp.MustCompile(`pg_cancel_backend\s*\(|\.CancelRequest\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loc := cancel.FindIndex(src); loc != nil {
			t.Errorf("%s cancels a backend: %q", f, src[loc[0]:loc[1]])
		}
	}
}
