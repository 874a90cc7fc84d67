package daemon_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/gateway"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
)

// TestEmbeddedDefault runs Terraform with the provider binary and no endpoint: the provider finds no cloud,
// starts one from its own binary (detached, in FLEXPG_HOME), and the apply creates a real server. `cloud
// down` stops it afterwards.
func TestEmbeddedDefault(t *testing.T) {
	needDocker(t)
	bin := buildBinary(t)
	home := t.TempDir()
	port, err := gateway.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"flexpg/flexpg\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(bin))
	config := `terraform {
  required_providers {
    flexpg = { source = "flexpg/flexpg" }
  }
}
provider "flexpg" {}
resource "flexpg_server" "s" {
  name                   = "it-embedded"
  location               = "westeurope"
  version                = "15"
  sku_name               = "B_Standard_B1ms"
  administrator_login    = "pgadmin"
  administrator_password = "` + canary + `"
}
output "port" { value = flexpg_server.s.port }
`
	for name, text := range map[string]string{"terraformrc": rc, "main.tf": config} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + filepath.Join(work, "terraformrc"), "TF_IN_AUTOMATION=1",
		"FLEXPG_HOME=" + home, fmt.Sprintf("FLEXPG_ADDR=127.0.0.1:%d", port), "FLEXPG_TEST_RUN=" + cloudtest.RunLabel(),
		"FLEXPG_ENDPOINT=", "FLEXPG_TOKEN="}
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	var cloudID string
	t.Cleanup(func() {
		if info, err := local.ReadInfo(home); err == nil {
			cloudID = info.CloudID
		}
		if cloudID != "" {
			_ = cloudtest.Sweep(context.Background(), cloudID)
		}
		cmd := exec.Command(bin, "cloud", "down")
		cmd.Env = append(os.Environ(), env...)
		_ = cmd.Run()
	})
	if _, err := local.Probe(context.Background(), home); err == nil {
		t.Fatal("a cloud already answers in the test's fresh home")
	}
	run("terraform", "apply", "-auto-approve", "-input=false")
	info, err := local.Probe(context.Background(), home)
	if err != nil || info.Endpoint != fmt.Sprintf("http://127.0.0.1:%d", port) {
		t.Fatalf("the provider did not start the local cloud: %+v %v", info, err)
	}
	cloudID = info.CloudID // the info file goes away with `cloud down`; the sweep still needs the ID
	if out := run("terraform", "output", "-raw", "port"); out == "" || out == "0" {
		t.Fatalf("port output %q", out)
	}
	run("terraform", "destroy", "-auto-approve", "-input=false")
	out := run(bin, "cloud", "down")
	if !strings.Contains(out, "stopped") {
		t.Fatalf("cloud down: %s", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := local.Probe(ctx, home); err == nil {
		t.Fatal("the cloud still answers after cloud down")
	}
}
