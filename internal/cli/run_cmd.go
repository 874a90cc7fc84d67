package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/images"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/docker"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// exitCode carries a command's own exit status through Main.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// envList collects repeated -e KEY=VALUE flags.
type envList []string

func (l *envList) String() string { return strings.Join(*l, ",") }
func (l *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*l = append(*l, v)
	return nil
}

// caScript writes the cloud CA where PGSSLROOTCERT points, then runs the user's command.
const caScript = `printf '%s' "$FLEXPG_CA_PEM" > /tmp/flexpg-ca.crt && exec "$@"`

// cmdRun runs a command in a throwaway container on a subnet: a client inside the VNet, resolving names
// through the cloud's private DNS, with the cloud CA in PGSSLROOTCERT (so sslmode=verify-full works).
func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "run")
	subnetID := fs.String("subnet", "", "subnet ID, /virtualNetworks/<vnet>/subnets/<subnet>")
	version := fs.String("image", "17", "PostgreSQL major version of the client image (15 or 17)")
	var envs envList
	fs.Var(&envs, "e", "environment variable KEY=VALUE for the command (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	command := fs.Args()
	if *subnetID == "" || len(command) == 0 {
		return usagef("usage: run -subnet <subnet id> [-e KEY=VALUE] [--] <command> [args...]")
	}
	vnet, subnet, err := spec.ParseSubnetID(*subnetID)
	if err != nil {
		return usagef("-subnet: %v", err)
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	sub, err := c.GetSubnet(ctx, vnet, subnet)
	if err != nil {
		return err
	}
	if sub.DockerNetwork == "" || sub.DNSServer == "" {
		return fmt.Errorf("subnet %s is not ready yet", *subnetID)
	}
	ca, err := c.GetCACertificate(ctx)
	if err != nil {
		return err
	}
	health, err := c.Health(ctx)
	if err != nil {
		return err
	}
	rt, err := docker.New(ctx)
	if err != nil {
		return err
	}
	defer rt.Close()
	labels := runtime.Labels{runtime.LabelManaged: "true", runtime.LabelCloud: health.CloudID,
		runtime.LabelResource: *subnetID, runtime.LabelRole: "client"}
	if run := os.Getenv("FLEXPG_TEST_RUN"); run != "" {
		labels[runtime.LabelTest] = run
	}
	cs := runtime.ContainerSpec{
		Name:    "flexpg-run-" + randomSuffix(),
		Image:   images.ImageRef(*version),
		Network: sub.DockerNetwork,
		DNS:     []string{sub.DNSServer},
		Labels:  labels,
		Env: append([]string{"FLEXPG_MODE=exec", "FLEXPG_CA_PEM=" + ca, "PGSSLROOTCERT=/tmp/flexpg-ca.crt"},
			envs...),
		Cmd: append([]string{"sh", "-c", caScript, "flexpg-run"}, command...),
	}
	code, err := rt.Run(ctx, cs, os.Stdin, e.stdout, e.stderr)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitCode(code)
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// asExitCode reports a command's own exit status.
func asExitCode(err error) (int, bool) {
	var ec exitCode
	if errors.As(err, &ec) {
		return int(ec), true
	}
	return 0, false
}
