package images

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// TestImagesInDocker builds (or reuses) each image and runs a server from it the way the cloud does. It
// needs Docker and root, and a first run builds both images (a few minutes), so it only runs with
// FLEXPG_DOCKER=1, which `make test` sets.
func TestImagesInDocker(t *testing.T) {
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("set FLEXPG_DOCKER=1 to build the images and run PostgreSQL in Docker (make test does)")
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })

	for _, major := range Majors() {
		t.Run(major, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()
			ref, err := Ensure(ctx, cli, major, t.Logf)
			if err != nil {
				t.Fatal(err)
			}
			if ref != "flexpg/postgres:"+major {
				t.Fatalf("Ensure returned %q", ref)
			}
			checkExecMode(ctx, t, cli, ref, major)
			checkServer(ctx, t, cli, ref, major)
		})
	}
}

// checkExecMode runs the image as a throwaway client, as the cloud's psql command does.
func checkExecMode(ctx context.Context, t *testing.T, cli *client.Client, ref, major string) {
	id := createContainer(ctx, t, cli, &container.Config{
		Image: ref,
		Env:   []string{"FLEXPG_MODE=exec"},
		Cmd:   []string{"psql", "--version"},
	}, nil)
	if err := cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	waitC, errC := cli.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	select {
	case res := <-waitC:
		if res.StatusCode != 0 {
			t.Fatalf("psql --version exited %d", res.StatusCode)
		}
	case err := <-errC:
		t.Fatal(err)
	}
	out := containerLogs(ctx, t, cli, id)
	if !strings.Contains(out, "(PostgreSQL) "+major+".") {
		t.Fatalf("exec mode output %q does not name PostgreSQL %s", out, major)
	}
	removeContainer(t, cli, id)
}

// checkServer starts a server with a data volume and a minimal configuration, as the cloud does, and
// checks that it initialises, serves TLS connections, runs as PID 1 and stops cleanly on the stop signal.
func checkServer(ctx context.Context, t *testing.T, cli *client.Client, ref, major string) {
	vol, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: "flexpg-imagetest-" + testID(t), Labels: testLabels(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.VolumeRemove(context.Background(), vol.Name, true) })

	id := createContainer(ctx, t, cli, &container.Config{Image: ref}, &container.HostConfig{
		Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: vol.Name, Target: volumeDir}},
	})
	if err := cli.CopyToContainer(ctx, id, "/", configTar(t), container.CopyToContainerOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	waitReady(ctx, t, cli, id)
	t.Logf("PostgreSQL %s accepted connections %v after start", major, time.Since(start).Round(time.Millisecond))

	version := mustExec(ctx, t, cli, id, "psql", "host=127.0.0.1 dbname=postgres user=azuresu sslmode=require",
		"-Atc", "select version() || ' ssl=' || ssl from pg_stat_ssl where pid = pg_backend_pid()")
	if !strings.HasPrefix(version, "PostgreSQL "+major+".") || !strings.HasSuffix(version, "ssl=true") {
		t.Errorf("version over TLS = %q", version)
	}
	if got := mustExec(ctx, t, cli, id, "cat", "/proc/1/comm"); got != "postgres" {
		t.Errorf("PID 1 is %q, want postgres", got)
	}
	if got := mustExec(ctx, t, cli, id, "pgbouncer", "--version"); !strings.Contains(got, "PgBouncer") {
		t.Errorf("pgbouncer --version = %q", got)
	}
	if got := mustExec(ctx, t, cli, id, "locale", "-a"); !strings.Contains(got, "en_US.utf8") {
		t.Errorf("locale -a = %q, lacks en_US.utf8", got)
	}
	if got := mustExec(ctx, t, cli, id, "stat", "-c", "%U %a", "/etc/flexpg/server.key", dataDir); got != "postgres 600\npostgres 700" {
		t.Errorf("ownership and modes = %q", got)
	}

	grace := 20
	if err := cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &grace}); err != nil {
		t.Fatal(err)
	}
	info, err := cli.ContainerInspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.ExitCode != 0 {
		t.Errorf("exit code after stop = %d", info.State.ExitCode)
	}
	if logs := containerLogs(ctx, t, cli, id); !strings.Contains(logs, "fast shutdown request") {
		t.Errorf("stop did not request a fast shutdown; log:\n%s", logs)
	}
}

// testRun marks everything this test run creates in Docker, so a sweep can find leftovers of a crash.
var testRun = fmt.Sprintf("images-%d", time.Now().UnixNano())

func testID(t *testing.T) string {
	return testRun + "-" + strings.ReplaceAll(t.Name(), "/", "-")
}

func testLabels(t *testing.T) map[string]string {
	return map[string]string{labelManaged: "true", "io.flexpg.test": testRun}
}

func createContainer(ctx context.Context, t *testing.T, cli *client.Client, cfg *container.Config, hc *container.HostConfig) string {
	t.Helper()
	cfg.Labels = testLabels(t)
	created, err := cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeContainer(t, cli, created.ID) })
	return created.ID
}

func removeContainer(t *testing.T, cli *client.Client, id string) {
	err := cli.ContainerRemove(context.Background(), id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !errdefs.IsNotFound(err) { // already gone is fine
		t.Logf("remove container %s: %v", id, err)
	}
}

func waitReady(ctx context.Context, t *testing.T, cli *client.Client, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, out := execIn(ctx, t, cli, id, "pg_isready", "-q", "-h", "127.0.0.1")
		if code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pg_isready still failing after 30s (exit %d, %s); log:\n%s", code, out, containerLogs(ctx, t, cli, id))
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func mustExec(ctx context.Context, t *testing.T, cli *client.Client, id string, cmd ...string) string {
	t.Helper()
	code, out := execIn(ctx, t, cli, id, cmd...)
	if code != 0 {
		t.Fatalf("%v exited %d: %s", cmd, code, out)
	}
	return out
}

// execIn runs cmd in the container and returns its exit code and trimmed combined output.
func execIn(ctx context.Context, t *testing.T, cli *client.Client, id string, cmd ...string) (int, string) {
	t.Helper()
	ex, err := cli.ContainerExecCreate(ctx, id, container.ExecOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	att, err := cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer att.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, att.Reader); err != nil {
		t.Fatal(err)
	}
	res, err := cli.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	return res.ExitCode, strings.TrimSpace(out.String())
}

func containerLogs(ctx context.Context, t *testing.T, cli *client.Client, id string) string {
	t.Helper()
	rc, err := cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// configTar holds the files the cloud places in /etc/flexpg before the first start, with a throwaway
// self-signed certificate that serves as its own CA.
func configTar(t *testing.T) *bytes.Buffer {
	t.Helper()
	certPEM, keyPEM := selfSigned(t)
	files := map[string]string{
		"postgresql.conf": strings.Join([]string{
			"data_directory = '" + dataDir + "'",
			"hba_file = '/etc/flexpg/pg_hba.conf'",
			"listen_addresses = '*'",
			"ssl = on",
			"ssl_cert_file = '/etc/flexpg/server.crt'",
			"ssl_key_file = '/etc/flexpg/server.key'",
			"ssl_ca_file = '/etc/flexpg/ca.crt'",
			"",
		}, "\n"),
		"pg_hba.conf": "hostssl all azuresu 0.0.0.0/0 trust\n",
		"server.crt":  certPEM,
		"server.key":  keyPEM,
		"ca.crt":      certPEM,
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "etc/flexpg/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		// Deliberately root-owned and world-readable: the entrypoint must fix both.
		hdr := &tar.Header{Name: "etc/flexpg/" + name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(text))}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "flexpg image test"},
		DNSNames:              []string{"localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
}
