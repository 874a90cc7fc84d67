package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"io/fs"
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

// TestNothingCancels: no code of the cloud (this package, the controller, the API, every package under
// internal/cloud) calls pg_cancel_backend or sends a cancel request (BAR-D4); the cloud terminates sessions
// or shuts servers down instead.
func TestNothingCancels(t *testing.T) {
	var files []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		files = append(files, path)
		return nil
	})
	if err != nil || len(files) < 50 {
		t.Fatalf("scanned %d files of internal/cloud: %v", len(files), err)
	}
	cancel := regexp.MustCompile(`pg_cancel_backend\s*\(|\.CancelRequest\(`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loc := cancel.FindIndex(src); loc != nil {
			t.Errorf("%s cancels a backend: %q", f, src[loc[0]:loc[1]])
		}
	}
}
