package daemon_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrivateAccessExample applies examples/private-access with Terraform against a test cloud, proves from a
// client inside the VNet that the FQDN resolves and psql with verify-full works, proves the machine cannot
// connect, and destroys it cleanly.
func TestPrivateAccessExample(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	cloud, c := startCloud(t)
	work := t.TempDir()
	example, err := os.ReadFile("../../../examples/private-access/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"flexpg/flexpg\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(bin))
	for name, text := range map[string][]byte{"main.tf": example, "terraformrc": []byte(rc)} {
		if err := os.WriteFile(filepath.Join(work, name), text, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(work, "terraformrc"), "TF_IN_AUTOMATION=1",
		"FLEXPG_ENDPOINT="+cloud.Endpoint(), "FLEXPG_TOKEN="+cloud.Token(), "TF_VAR_admin_password="+canary)
	tf := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("terraform", args...)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
		return strings.TrimSpace(string(out))
	}
	tf("apply", "-auto-approve", "-input=false")
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			cmd := exec.Command("terraform", "destroy", "-auto-approve", "-input=false")
			cmd.Dir, cmd.Env = work, env
			_ = cmd.Run()
		}
	})
	fqdn, clientSubnet := tf("output", "-raw", "server_fqdn"), tf("output", "-raw", "client_subnet_id")

	out, code := inSubnet(t, bin, cloud, clientSubnet, nil, "getent", "hosts", fqdn)
	if code != 0 || !strings.HasPrefix(out, "10.20.1.") {
		t.Fatalf("resolve %s from the apps subnet: %d %q", fqdn, code, out)
	}
	ip := strings.Fields(out)[0]
	out, code = inSubnet(t, bin, cloud, clientSubnet, []string{"PGPASSWORD=" + canary},
		"psql", "host="+fqdn+" user=pgadmin dbname=postgres sslmode=verify-full", "-XAtc", "select 'verified ' || ssl::text from pg_stat_ssl where pid = pg_backend_pid()")
	if code != 0 || strings.TrimSpace(out) != "verified true" {
		t.Fatalf("psql verify-full from the apps subnet: %d %q", code, out)
	}
	if conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, "5432"), 3*time.Second); err == nil {
		conn.Close()
		t.Fatal("the machine connected to the private server")
	}

	// Moving the server to public access is a replacement, and the plan says so.
	public := strings.NewReplacer(
		"  delegated_subnet_id           = flexpg_subnet.postgres.id\n", "",
		"  private_dns_zone_id           = flexpg_private_dns_zone.corp.id\n", "",
		"  public_network_access_enabled = false\n", "",
	).Replace(string(example))
	if public == string(example) {
		t.Fatal("the example's private-access lines changed; update this test")
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(public), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := tf("plan", "-no-color", "-input=false")
	if !strings.Contains(plan, "flexpg_server.private must be replaced") || !strings.Contains(plan, "forces replacement") {
		t.Fatalf("plan for a network-mode change:\n%s", plan)
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), example, 0o600); err != nil {
		t.Fatal(err)
	}

	tf("destroy", "-auto-approve", "-input=false")
	destroyed = true
	st, err := c.Status(t.Context())
	if err != nil || len(st.Unowned) != 0 || st.Servers != 0 {
		t.Fatalf("after destroy: %+v %v", st, err)
	}
	if left := leftOver(st); len(left) != 0 {
		t.Errorf("left after destroy: %+v", left)
	}
}
