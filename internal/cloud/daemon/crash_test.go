package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/gateway"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// cloudProcess is the real binary running `cloud serve`, so the test can SIGKILL it.
type cloudProcess struct {
	t    *testing.T
	bin  string
	home string
	addr string
	cmd  *exec.Cmd
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "terraform-provider-flexpg")
	out, err := exec.Command("go", "build", "-o", bin, "../../..").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func (p *cloudProcess) start(pauseAt string) *client.Client {
	p.t.Helper()
	logf, err := os.OpenFile(filepath.Join(p.home, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd = exec.Command(p.bin, "cloud", "serve", "-addr", p.addr, "-home", p.home, "-v")
	p.cmd.Env = append(os.Environ(), "FLEXPG_TEST_RUN="+cloudtest.RunLabel(), "FLEXPG_FAULT_PAUSE_BEFORE_STEP="+pauseAt)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	c := client.New("http://"+p.addr, "", client.WithPollInterval(50*time.Millisecond, 200*time.Millisecond))
	if _, err := cloudtest.Eventually(context.Background(), 30*time.Second, func() error {
		_, err := c.Health(context.Background())
		return err
	}); err != nil {
		p.t.Fatalf("cloud did not come up: %v\n%s", err, p.log())
	}
	info, err := os.ReadFile(filepath.Join(p.home, "cloud.json"))
	if err != nil {
		p.t.Fatal(err)
	}
	return client.New("http://"+p.addr, tokenOf(string(info)), client.WithPollInterval(50*time.Millisecond, 200*time.Millisecond))
}

// startCloudProcess runs the cloud binary with operations pausing before step pauseAt ("" for none); the
// test's cleanup stops it, shows its log on failure, and sweeps what it made.
func startCloudProcess(t *testing.T, bin, pauseAt string) (*cloudProcess, *client.Client) {
	t.Helper()
	port, err := gateway.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	p := &cloudProcess{t: t, bin: bin, home: t.TempDir(), addr: fmt.Sprintf("127.0.0.1:%d", port)}
	c := p.start(pauseAt)
	h, err := c.Health(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("cloud log:\n%s", p.log())
		}
		_ = cloudtest.Sweep(context.Background(), h.CloudID)
	})
	return p, c
}

func (p *cloudProcess) log() string {
	b, _ := os.ReadFile(filepath.Join(p.home, "serve.log"))
	return tail(string(b), 40)
}

func (p *cloudProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func (p *cloudProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

func tokenOf(infoJSON string) string {
	i := strings.Index(infoJSON, `"token": "`)
	if i < 0 {
		return ""
	}
	rest := infoJSON[i+len(`"token": "`):]
	return rest[:strings.Index(rest, `"`)]
}

// TestSIGKILLDuringCreate kills the cloud process while a create is in each of several steps, starts it
// again, and checks that the create completes (with a working server) and that nothing is left unowned.
func TestSIGKILLDuringCreate(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	for _, killAt := range []string{"volume", "start", "adminRole", "endpoint"} {
		t.Run("kill at "+killAt, func(t *testing.T) {
			port, err := gateway.FreePort("127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			p := &cloudProcess{t: t, bin: bin, home: t.TempDir(), addr: fmt.Sprintf("127.0.0.1:%d", port)}
			c := p.start(killAt)
			var cloudID string
			t.Cleanup(func() {
				p.stop()
				if t.Failed() {
					t.Logf("cloud log:\n%s", p.log())
				}
				if cloudID != "" {
					_ = cloudtest.Sweep(context.Background(), cloudID)
				}
			})
			ctx := context.Background()
			h, _ := c.Health(ctx)
			cloudID = h.CloudID
			name := "crash-" + strings.ToLower(killAt)
			op, err := c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Version: "15",
				SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin", AdministratorPassword: canary}, true)
			if err != nil {
				t.Fatal(err)
			}
			reached, err := cloudtest.Eventually(ctx, 60*time.Second, func() error {
				o, err := c.GetOperation(ctx, op.ID)
				if err != nil {
					return err
				}
				if o.Step != killAt {
					return fmt.Errorf("at step %s", o.Step)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("the create never reached step %s: %v", killAt, err)
			}
			p.kill()
			t.Logf("killed the cloud %s into step %s", reached, killAt)
			c = p.start("")
			waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
			defer cancel()
			done, err := c.Wait(waitCtx, op, nil)
			if err != nil {
				t.Fatalf("resumed create: %v", err)
			}
			if done.Status != model.OperationSucceeded {
				t.Fatalf("operation %+v", done)
			}
			srv, err := c.GetServer(ctx, name)
			if err != nil || srv.State != "Ready" {
				t.Fatalf("server %+v %v", srv, err)
			}
			do := waiter(t, c)
			do(c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}))
			ca, _ := c.GetCACertificate(ctx)
			conn := cloudtest.Conn{Server: srv, User: "pgadmin", Password: canary, CAPEM: ca}
			if v, err := conn.QueryString(ctx, "select 'alive'"); err != nil || v != "alive" {
				t.Fatalf("query after recovery: %q %v", v, err)
			}
			cleanStatus(t, c, "after recovery") // the server's first full backup included
			do(c.DeleteServer(ctx, name))
			cleanStatus(t, c, "after the delete")
			st, _ := c.Status(ctx)
			if left := leftOver(st); len(left) != 0 {
				t.Fatalf("left after delete: %+v", left)
			}
		})
	}
}

// TestSIGKILLDuringDelete kills the cloud while a delete is between removing the container and removing the
// volume; after a restart the delete finishes and nothing of the server is left.
func TestSIGKILLDuringDelete(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	p, c := startCloudProcess(t, bin, "removeVolume")
	ctx := context.Background()
	name := "crash-delete"
	do := waiter(t, c)
	do(c.PutServer(ctx, name, model.Server{Name: name, Location: "westeurope", Version: "15",
		SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin", AdministratorPassword: canary}, true))
	op, err := c.DeleteServer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtest.Eventually(ctx, time.Minute, func() error {
		o, err := c.GetOperation(ctx, op.ID)
		if err != nil {
			return err
		}
		if o.Step != "removeVolume" {
			return fmt.Errorf("at step %s", o.Step)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p.kill()
	c = p.start("")
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if done, err := c.Wait(waitCtx, op, nil); err != nil || done.Status != model.OperationSucceeded {
		t.Fatalf("resumed delete: %+v %v", done, err)
	}
	if _, err := c.GetServer(ctx, name); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("server still there: %v", err)
	}
	cleanStatus(t, c, "after the resumed delete")
	st, _ := c.Status(ctx)
	if left := leftOver(st); len(left) != 0 {
		t.Fatalf("left after delete: %+v", left)
	}
}
