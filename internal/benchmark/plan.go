package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// planRefresh applies a configuration of n servers with Terraform, then times `terraform plan` (which
// refreshes every server through the API) and checks that the plan is empty.
func (b *bench) planRefresh(ctx context.Context, bin string, n int) error {
	dir, err := os.MkdirTemp("", "flexpg-bench-tf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"flexpg/flexpg\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(bin))
	if err := os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o600); err != nil {
		return err
	}
	var cfg strings.Builder
	cfg.WriteString("terraform {\n  required_providers {\n    flexpg = { source = \"flexpg/flexpg\" }\n  }\n}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&cfg, "resource \"flexpg_server\" \"s%d\" {\n  name = \"bench-plan-%d\"\n  location = \"westeurope\"\n  version = \"15\"\n"+
			"  sku_name = \"B_Standard_B1ms\"\n  administrator_login = \"pgadmin\"\n  administrator_password = %q\n}\n", i, i, password)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "TF_IN_AUTOMATION=1",
		"FLEXPG_ENDPOINT="+b.cloud.Endpoint(), "FLEXPG_TOKEN="+b.cloud.Token())
	tf := func(args ...string) (time.Duration, error) {
		cmd := exec.CommandContext(ctx, "terraform", append([]string{"-chdir=" + dir}, args...)...)
		cmd.Env = env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("terraform %s: %w\n%s", args[0], err, out)
		}
		return time.Since(start), nil
	}
	applyTime, err := tf("apply", "-auto-approve", "-input=false")
	if err != nil {
		return err
	}
	report(fmt.Sprintf("terraform_apply_%d_servers", n), seconds(applyTime), "s")
	var samples []time.Duration
	for i := 0; i < 3; i++ {
		d, err := tf("plan", "-input=false", "-detailed-exitcode")
		if err != nil {
			return fmt.Errorf("plan not empty after apply (exit 2 means drift): %w", err)
		}
		samples = append(samples, d)
	}
	report(fmt.Sprintf("terraform_plan_refresh_%d_servers_median", n), seconds(median(samples)), "s")
	_, err = tf("destroy", "-auto-approve", "-input=false")
	return err
}
