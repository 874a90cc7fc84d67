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
	"maps"
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
	net       *testNet
	vol       string // the data volume
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

// testFQDN is the name every test server's certificate carries; clients verify it (verify-full).
const testFQDN = "itest.postgres.flexpg.internal"

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

// testNet is a labelled Docker network of one test; the test's volumes and containers carry its labels
// and are removed in cleanup.
type testNet struct {
	cli     *client.Client
	name    string
	labels  map[string]string
	gateway netip.Addr
	subnet  netip.Prefix
}

func newTestNet(t *testing.T, cli *client.Client) *testNet {
	t.Helper()
	ctx := context.Background()
	name := uniqueName(t)
	n := &testNet{cli: cli, name: name, labels: map[string]string{"io.flexpg.managed": "true", "io.flexpg.test": name}}
	if _, err := cli.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Labels: n.labels}); err != nil {
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
	if n.gateway, err = netip.ParseAddr(netInfo.IPAM.Config[0].Gateway); err != nil {
		t.Fatalf("network gateway %q: %v", netInfo.IPAM.Config[0].Gateway, err)
	}
	if n.subnet, err = netip.ParsePrefix(netInfo.IPAM.Config[0].Subnet); err != nil {
		t.Fatalf("network subnet %q: %v", netInfo.IPAM.Config[0].Subnet, err)
	}
	return n
}

// newVolume creates a labelled, empty volume.
func (n *testNet) newVolume(t *testing.T) string {
	t.Helper()
	name := uniqueName(t)
	if _, err := n.cli.VolumeCreate(context.Background(), volume.CreateOptions{Name: name, Labels: n.labels}); err != nil {
		t.Fatalf("create volume: %v", err)
	}
	t.Cleanup(func() {
		if err := n.cli.VolumeRemove(context.Background(), name, true); err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("remove volume %s: %v", name, err)
		}
	})
	return name
}

// createContainer creates (does not start) a labelled container on the network with vol mounted at
// DataVolume; cleanup removes it and, if the test failed, logs its output first.
func (n *testNet) createContainer(t *testing.T, cfg *container.Config, vol string) string {
	t.Helper()
	cfg.Labels = n.labels
	created, err := n.cli.ContainerCreate(context.Background(), cfg,
		&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: vol, Target: DataVolume}}},
		&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{n.name: {}}},
		nil, uniqueName(t))
	if err != nil {
		t.Fatalf("create container: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log of container %.12s:\n%s", created.ID, containerLogs(n.cli, created.ID))
		}
		err := n.cli.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("remove container: %v", err)
		}
	})
	return created.ID
}

// newTestCA makes a cloud CA for one test; every server of the test shares it, as a cloud's servers do.
func newTestCA(t *testing.T) *pki.CA {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// startPGServer creates a labelled network, volume and container from image, copies the rendered files in,
// starts the container and waits for a management connection. Everything is removed in cleanup.
func startPGServer(t *testing.T, cli *client.Client, image string, params map[string]string, hba func(gw netip.Addr) HBAInput) (*pgServer, *pgx.Conn) {
	t.Helper()
	n := newTestNet(t, cli)
	s := n.newServer(t, image, newTestCA(t), n.newVolume(t), params, hba(n.gateway), nil)
	return s, s.start(t)
}

// newServer creates a server container on vol with the rendered files and extra files in ConfigDir, not
// started yet.
func (n *testNet) newServer(t *testing.T, image string, ca *pki.CA, vol string, params map[string]string, hba HBAInput, extra map[string][]byte) *pgServer {
	t.Helper()
	s := &pgServer{cli: n.cli, net: n, vol: vol, gateway: n.gateway, ca: ca, fqdn: testFQDN}
	var err error
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
	s.id = n.createContainer(t, &container.Config{Image: image}, vol)
	s.uid, s.gid = s.lookupPostgresUser(t)
	if s.uid != OSUserUID || s.gid != OSUserGID {
		t.Errorf("image's postgres user is %d:%d, the cloud assumes %d:%d", s.uid, s.gid, OSUserUID, OSUserGID)
	}

	files := map[string][]byte{"server.crt": s.serverCrt, "server.key": s.serverKey, "ca.crt": s.ca.CertPEM(),
		"pg_ident.conf": RenderIdent()}
	maps.Copy(files, extra)
	s.render(t, files, params, hba)
	s.copyFiles(t, files)
	return s
}

// start starts the container (again) and waits for a management connection, which cleanup closes.
func (s *pgServer) start(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	if err := s.cli.ContainerStart(ctx, s.id, container.StartOptions{}); err != nil {
		t.Fatalf("start container: %v", err)
	}
	inspect, err := s.cli.ContainerInspect(ctx, s.id)
	if err != nil {
		t.Fatalf("inspect container: %v", err)
	}
	s.ip = inspect.NetworkSettings.Networks[s.net.name].IPAddress
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
	return conn
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
	copyConfigFiles(t, s.cli, s.id, files, s.uid, s.gid, 0o600)
}

// copyConfigFiles copies files into ConfigDir of a container with the given owner, mode 0644 and keyMode for
// keys (*.key).
func copyConfigFiles(t *testing.T, cli *client.Client, id string, files map[string][]byte, uid, gid int, keyMode int64) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := strings.TrimPrefix(ConfigDir, "/") + "/"
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, Uid: uid, Gid: gid, ModTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		mode := int64(0o644)
		if path.Ext(name) == ".key" {
			mode = keyMode
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: dir + name, Mode: mode, Size: int64(len(content)),
			Uid: uid, Gid: gid, ModTime: time.Now()}
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
	if err := cli.CopyToContainer(context.Background(), id, "/", &buf, container.CopyToContainerOptions{}); err != nil {
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

func (s *pgServer) logs() string { return containerLogs(s.cli, s.id) }

// containerLogs returns the last lines of a container's output.
func containerLogs(cli *client.Client, id string) string {
	rc, err := cli.ContainerLogs(context.Background(), id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "60"})
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

// userConn connects as an ordinary client: password authentication, TLS as given (nil = plaintext). Like
// the cloud's own sessions it can send no cancel request (sessionDialsOnly), so a test that gives up on a commit
// waiting for the synchronous standby never cancels it (BAR-D4).
func (s *pgServer) userConn(ctx context.Context, user, password, db string, tlsCfg *tls.Config) (*pgx.Conn, error) {
	return s.userConnRefusing(ctx, user, password, db, tlsCfg, nil)
}

// userConnRefusing is userConn telling refused of each cancel request pgx tried to send.
func (s *pgServer) userConnRefusing(ctx context.Context, user, password, db string, tlsCfg *tls.Config, refused func()) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		dsnQuote(s.ip), Port, dsnQuote(user), dsnQuote(db)))
	if err != nil {
		return nil, err
	}
	cfg.Password = password
	cfg.TLSConfig = tlsCfg
	cfg.Fallbacks = nil
	cfg.ConnectTimeout = 10 * time.Second
	cfg.DialFunc = sessionDialsOnly(cfg.DialFunc, refused)
	return connectSession(ctx, cfg)
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
