package provider_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestAccServer_haPrivateAccess runs a private-access server with high availability in a delegated subnet
// and checks from a client container in another subnet of the VNet that the server's FQDN and its record in
// the private DNS zone lead to the primary, before and after an unplanned failover. The zone is left to
// the cloud, so the failover is no drift: the plan after it is empty.
func TestAccServer_haPrivateAccess(t *testing.T) {
	server, vnet, subnet, zone, link := acctest.RandomName("hapriv"), acctest.RandomName("vnet"),
		acctest.RandomName("snet"), accZone(), acctest.RandomName("link")
	net := accNet(vnet)
	net.AddressSpace = []string{"10.213.32.0/20"}
	net.Subnet, net.Prefix, net.Delegation, net.Zone, net.Link = subnet, "10.213.33.0/24", spec.DelegationFlexibleServers, zone, link
	clientSubnet := acctest.RandomName("client")
	config := testAccServerHCL(server, haServerAttrs(privateServerAttrs()), haBlock("", privateServerDependsOn)) + net.hcl() +
		fmt.Sprintf(`
resource "flexpg_subnet" "client" {
  name               = %q
  virtual_network_id = flexpg_virtual_network.test.id
  address_prefix     = "10.213.34.0/24"
}
`, clientSubnet)
	from := &inVNet{t: t, subnetID: spec.SubnetID(vnet, clientSubnet)}
	names := []string{spec.ServerFQDN(server), spec.DNSRecordName(server, zone)}
	zoneMoved := statecheck.CompareValue(compare.ValuesDiffer())
	var first string // the primary's address before the failover
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			PreConfig:         func() { from.bin = buildProviderBinary(t) }, // only when the test runs (TF_ACC)
			Config:            config,
			ConfigStateChecks: append(privateHAChecks(), zoneMoved.AddStateValue(serverAddr, tfjsonpath.New("zone"))),
			Check:             from.checkNamesReachPrimary(names, &first, ""),
		},
		resource.TestStep{
			PreConfig: func() { killPrimaryAndAwaitFailover(t, server) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: append(privateHAChecks(), zoneMoved.AddStateValue(serverAddr, tfjsonpath.New("zone"))),
			Check:             from.checkNamesReachPrimary(names, new(string), first),
		},
	))
}

// privateHAChecks expect a Healthy private server: no host endpoint.
func privateHAChecks() []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("ha_state"), knownvalue.StringExact(spec.HAStateHealthy)),
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("host"), knownvalue.Null()),
		statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("public_network_access_enabled"), knownvalue.Bool(false)),
	}
}

// inVNet runs commands in a client container on a subnet with `cloud run` of the provider's binary (the test
// binary refuses to be the cloud's CLI).
type inVNet struct {
	t             *testing.T
	bin, subnetID string
}

// checkNamesReachPrimary resolves every name from the subnet and connects to the first one (TLS,
// verify-full) as the administrator: all names must resolve to one address, that of the server that answers,
// which must be the primary (not in recovery). The address is stored in *addr; unless notAddr is "", it must
// differ from notAddr.
func (v *inVNet) checkNamesReachPrimary(names []string, addr *string, notAddr string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		script := `set -e
for n in "$@"; do getent hosts "$n"; done
psql "host=$1 user=pgadmin dbname=postgres sslmode=verify-full connect_timeout=10" -XAtc "select host(inet_server_addr()), pg_is_in_recovery()"`
		out, err := v.run([]string{"PGPASSWORD=Str0ng-Passw0rd!"}, append([]string{"sh", "-c", script, "sh"}, names...)...)
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != len(names)+1 {
			return fmt.Errorf("unexpected output of the client in %s:\n%s", v.subnetID, out)
		}
		served := strings.Split(lines[len(names)], "|")
		if len(served) != 2 || served[1] != "f" {
			return fmt.Errorf("%s did not lead to a primary: server address and in-recovery %q", names[0], lines[len(names)])
		}
		for i, n := range names {
			if f := strings.Fields(lines[i]); len(f) == 0 || f[0] != served[0] {
				return fmt.Errorf("%s resolves to %q in %s; the primary answers at %s", n, lines[i], v.subnetID, served[0])
			}
		}
		if notAddr != "" && served[0] == notAddr {
			return fmt.Errorf("%v still resolve to %s, the address of the primary before the failover", names, notAddr)
		}
		*addr = served[0]
		v.t.Logf("from %s, %v resolve to %s, the primary", v.subnetID, names, served[0])
		return nil
	}
}

// run runs command in a throwaway container on the subnet and returns its standard output.
func (v *inVNet) run(env []string, command ...string) (string, error) {
	args := []string{"cloud", "run", "-subnet", v.subnetID}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, v.bin, append(append(args, "--"), command...)...)
	// The endpoint and token acctest.Main exported; the run label, so a sweep finds the container.
	cmd.Env = append(os.Environ(), "FLEXPG_TEST_RUN="+cloudtest.RunLabel())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("cloud run in %s exited %d:\n%s%s", v.subnetID, exit.ExitCode(), stdout.String(), stderr.String())
		}
		return "", fmt.Errorf("cloud run: %w", err)
	}
	return stdout.String(), nil
}

// buildProviderBinary builds the provider (which is also the cloud's CLI) into the test's temporary
// directory.
func buildProviderBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "terraform-provider-flexpg")
	if out, err := exec.Command("go", "build", "-o", bin, "../..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
