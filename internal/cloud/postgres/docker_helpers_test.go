package postgres

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/jackc/pgx/v5"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
)

// testImage is the image TestIntegration runs; tests that cover every version use testImageFor.
const testImage = "flexpg/postgres:15"

// testMajors are the PostgreSQL versions the cloud offers.
var testMajors = []string{"15", "17"}

func testImageFor(major string) string { return "flexpg/postgres:" + major }

// pgServer is one PostgreSQL container started for the integration test, with everything needed to reach it.
type pgServer struct {
	cli       *client.Client
	id        string
	ip        string
	gateway   netip.Addr
	ca        *pki.CA
	fqdn      string
	mgmtTLS   *tls.Config
	uid, gid  int
	serverCrt []byte
	serverKey []byte
}

func requireDocker(t *testing.T) *client.Client {
	t.Helper()
	if os.Getenv("FLEXPG_DOCKER") != "1" {
		t.Skip("set FLEXPG_DOCKER=1 to run the Docker integration test")
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// waitForImage fails the test when the image is missing: `make test` builds the images before the tests
// run (make images), so a missing image is a broken setup, not a reason to pass.
func waitForImage(t *testing.T, cli *client.Client, image string) {
	t.Helper()
	_, err := cli.ImageInspect(context.Background(), image)
	if errdefs.IsNotFound(err) {
		t.Fatalf("image %s is missing; build it first (make images, or terraform-provider-flexpg cloud images build)", image)
	}
	if err != nil {
		t.Fatalf("inspect %s: %v", image, err)
	}
}

func uniqueName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "flexpg-pgtest-" + hex.EncodeToString(b)
}

// startPGServer creates a labelled network, volume and container from image, copies the rendered files in,
// starts the container and waits for a management connection. Everything is removed in cleanup.
func startPGServer(t *testing.T, cli *client.Client, image string, params map[string]string, hba func(gw netip.Addr) HBAInput) (*pgServer, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	name := uniqueName(t)
	labels := map[string]string{"io.flexpg.managed": "true", "io.flexpg.test": name}

	if _, err := cli.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Labels: labels}); err != nil {
		t.Fatalf("create network: %v", err)
	}
	t.Cleanup(func() {
		if err := cli.NetworkRemove(context.Background(), name); err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("remove network %s: %v", name, err)
		}
	})
	netInfo, err := cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err != nil || len(netInfo.IPAM.Config) == 0 {
		t.Fatalf("inspect network: %v (%d IPAM configs)", err, len(netInfo.IPAM.Config))
	}
	gw, err := netip.ParseAddr(netInfo.IPAM.Config[0].Gateway)
	if err != nil {
		t.Fatalf("network gateway %q: %v", netInfo.IPAM.Config[0].Gateway, err)
	}

	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		t.Fatalf("create volume: %v", err)
	}
	t.Cleanup(func() {
		if err := cli.VolumeRemove(context.Background(), name, true); err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("remove volume %s: %v", name, err)
		}
	})

	s := &pgServer{cli: cli, gateway: gw, fqdn: "itest.postgres.flexpg.internal"}
	s.ca, err = pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.serverCrt, s.serverKey, err = s.ca.IssueServer(s.fqdn, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cliCrt, cliKey, err := s.ca.IssueClient(ManagementRole)
	if err != nil {
		t.Fatal(err)
	}
	s.mgmtTLS, err = s.ca.ClientTLS(s.fqdn, cliCrt, cliKey)
	if err != nil {
		t.Fatal(err)
	}

	created, err := cli.ContainerCreate(ctx,
		&container.Config{Image: image, Labels: labels},
		&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: name, Target: DataVolume}}},
		&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{name: {}}},
		nil, name)
	if err != nil {
		t.Fatalf("create container: %v", err)
	}
	s.id = created.ID
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("container log:\n%s", s.logs())
		}
		err := cli.ContainerRemove(context.Background(), s.id, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("remove container: %v", err)
		}
	})
	s.uid, s.gid = s.lookupPostgresUser(t)
	if s.uid != OSUserUID || s.gid != OSUserGID {
		t.Errorf("image's postgres user is %d:%d, the cloud assumes %d:%d", s.uid, s.gid, OSUserUID, OSUserGID)
	}

	files := map[string][]byte{"server.crt": s.serverCrt, "server.key": s.serverKey, "ca.crt": s.ca.CertPEM(),
		"pg_ident.conf": RenderIdent()}
	s.render(t, files, params, hba(gw))
	s.copyFiles(t, files)
	if err := cli.ContainerStart(ctx, s.id, container.StartOptions{}); err != nil {
		t.Fatalf("start container: %v", err)
	}
	inspect, err := cli.ContainerInspect(ctx, s.id)
	if err != nil {
		t.Fatalf("inspect container: %v", err)
	}
	s.ip = inspect.NetworkSettings.Networks[name].IPAddress
	if s.ip == "" {
		t.Fatal("container has no address on the test network")
	}

	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	conn, err := WaitReady(wctx, s.target())
	if err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return s, conn
}

func (s *pgServer) target() Target {
	return Target{Host: s.ip, Port: Port, TLS: s.mgmtTLS}
}

// render adds postgresql.conf and pg_hba.conf rendered from params and hba to files.
func (s *pgServer) render(t *testing.T, files map[string][]byte, params map[string]string, hba HBAInput) {
	t.Helper()
	conf, err := RenderConfig(params)
	if err != nil {
		t.Fatalf("RenderConfig: %v", err)
	}
	hbaConf, err := RenderHBA(hba)
	if err != nil {
		t.Fatalf("RenderHBA: %v", err)
	}
	files["postgresql.conf"] = conf
	files["pg_hba.conf"] = hbaConf
}

// reconfigure writes new postgresql.conf and pg_hba.conf into the running container and reloads.
func (s *pgServer) reconfigure(t *testing.T, conn *pgx.Conn, params map[string]string, hba HBAInput) {
	t.Helper()
	ctx := context.Background()
	files := map[string][]byte{}
	s.render(t, files, params, hba)
	s.copyFiles(t, files)
	var asked time.Time
	if err := conn.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&asked); err != nil {
		t.Fatal(err)
	}
	if err := Reload(ctx, conn); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	s.waitForReload(t, asked)
}

// waitForReload waits until the postmaster has re-read its files after asked: pg_reload_conf only sends a
// signal, and new sessions inherit the postmaster's pg_conf_load_time.
func (s *pgServer) waitForReload(t *testing.T, asked time.Time) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		probe, err := Connect(ctx, s.target())
		if err == nil {
			var loaded time.Time
			err = probe.QueryRow(ctx, "SELECT pg_conf_load_time()").Scan(&loaded)
			probe.Close(ctx)
			if err == nil && loaded.After(asked) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond) // poll step, bounded by deadline
	}
	t.Fatal("configuration reload not observed within 10s")
}

// copyFiles copies files into ConfigDir, owned by the container's postgres user.
func (s *pgServer) copyFiles(t *testing.T, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := strings.TrimPrefix(ConfigDir, "/") + "/"
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, Uid: s.uid, Gid: s.gid, ModTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		mode := int64(0o644)
		if name == path.Base(KeyFile) {
			mode = 0o600
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: dir + name, Mode: mode, Size: int64(len(content)),
			Uid: s.uid, Gid: s.gid, ModTime: time.Now()}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.cli.CopyToContainer(context.Background(), s.id, "/", &buf, container.CopyToContainerOptions{}); err != nil {
		t.Fatalf("copy files into container: %v", err)
	}
}

// lookupPostgresUser reads /etc/passwd from the (created, not yet started) container.
func (s *pgServer) lookupPostgresUser(t *testing.T) (uid, gid int) {
	t.Helper()
	rc, _, err := s.cli.CopyFromContainer(context.Background(), s.id, "/etc/passwd")
	if err != nil {
		t.Fatalf("read /etc/passwd: %v", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		t.Fatalf("read /etc/passwd: %v", err)
	}
	sc := bufio.NewScanner(tr)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) >= 4 && f[0] == "postgres" {
			uid, err1 := strconv.Atoi(f[2])
			gid, err2 := strconv.Atoi(f[3])
			if err1 == nil && err2 == nil {
				return uid, gid
			}
		}
	}
	t.Fatal("no postgres user in the image's /etc/passwd")
	return 0, 0
}

func (s *pgServer) logs() string {
	rc, err := s.cli.ContainerLogs(context.Background(), s.id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "60"})
	if err != nil {
		return fmt.Sprintf("(logs unavailable: %v)", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, io.LimitReader(rc, 1<<20)); err != nil {
		fmt.Fprintf(&buf, "\n(log read error: %v)", err)
	}
	return buf.String()
}

// userConn connects as an ordinary client: password authentication, TLS as given (nil = plaintext).
func (s *pgServer) userConn(ctx context.Context, user, password, db string, tlsCfg *tls.Config) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		dsnQuote(s.ip), Port, dsnQuote(user), dsnQuote(db)))
	if err != nil {
		return nil, err
	}
	cfg.Password = password
	cfg.TLSConfig = tlsCfg
	cfg.Fallbacks = nil
	cfg.ConnectTimeout = 10 * time.Second
	return pgx.ConnectConfig(ctx, cfg)
}

// verifyFull is what sslmode=verify-full means: trust only the cloud CA and check the server's FQDN.
func (s *pgServer) verifyFull(minV, maxV uint16) *tls.Config {
	return &tls.Config{RootCAs: s.ca.Pool(), ServerName: s.fqdn, MinVersion: minV, MaxVersion: maxV}
}

// exec runs cmd in the container as user and returns its combined output and exit code.
func (s *pgServer) exec(t *testing.T, user string, cmd ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created, err := s.cli.ContainerExecCreate(ctx, s.id, container.ExecOptions{User: user, Cmd: cmd,
		AttachStdout: true, AttachStderr: true})
	if err != nil {
		t.Fatalf("exec create: %v", err)
	}
	resp, err := s.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		t.Fatalf("exec attach: %v", err)
	}
	defer resp.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, resp.Reader); err != nil {
		t.Fatalf("exec output: %v", err)
	}
	inspect, err := s.cli.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		t.Fatalf("exec inspect: %v", err)
	}
	return out.String(), inspect.ExitCode
}

// allLogs returns the container's whole log.
func (s *pgServer) allLogs(t *testing.T) string {
	t.Helper()
	rc, err := s.cli.ContainerLogs(context.Background(), s.id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("container logs: %v", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil {
		t.Fatalf("container logs: %v", err)
	}
	return buf.String()
}
