package provider_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestFlowChildren_lifecycle covers firewall rules (with ServerBusy retries), databases (charset spelling)
// and configurations (a static parameter restarts the server; destroy resets it) against memcloud.
func TestFlowChildren_lifecycle(t *testing.T) {
	t.Parallel()
	c := memcloud.New(t)
	children := func(end, workMem string) string {
		return flowServerHCL(c, nil, "") + fmt.Sprintf(`
resource "flexpg_firewall_rule" "test" {
  name             = "office"
  server_id        = flexpg_server.test.id
  start_ip_address = "10.0.0.1"
  end_ip_address   = %[1]q
}

resource "flexpg_database" "test" {
  name      = "app"
  server_id = flexpg_server.test.id
  charset   = "utf8"
}

resource "flexpg_server_configuration" "static" {
  name      = "max_connections"
  server_id = flexpg_server.test.id
  value     = "60"
}

resource "flexpg_server_configuration" "dynamic" {
  name      = "work_mem"
  server_id = flexpg_server.test.id
  value     = %[2]q
}
`, end, workMem)
	}
	var busyBefore int
	resource.UnitTest(t, flowTestCase(c,
		resource.TestStep{
			Config: children("10.0.0.255", "8192"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(firewallRuleAddr, tfjsonpath.New("id"), knownvalue.StringExact(spec.FirewallRuleID(flowServer, "office"))),
				statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("charset"), knownvalue.StringExact("utf8")),
				statecheck.ExpectKnownValue(databaseAddr, tfjsonpath.New("collation"), knownvalue.StringExact("en_US.utf8")),
			},
			Check: resource.ComposeTestCheckFunc(
				checkCloud(func() error {
					// The cloud restarts the server for the static parameter as part of setting it.
					if got := restarts(c, flowServer); got != 1 {
						return fmt.Errorf("server restarted %d times, want 1 (for the static parameter only)", got)
					}
					return wantParameter(c, "max_connections", "60", "user-override")
				}),
				checkCloud(func() error { return wantParameter(c, "work_mem", "8192", "user-override") }),
				checkCloud(func() error {
					// The database reached PostgreSQL, in the catalog's spelling, owned by the admin.
					calls := c.Postgres().Calls(memcloud.MethodCreateDatabase, flowServer)
					if len(calls) != 1 || calls[0].Database != "app" || calls[0].Charset != "UTF8" || calls[0].Login != "pgadmin" {
						return fmt.Errorf("databases created: %+v", calls)
					}
					return nil
				}),
				checkCloud(func() error { return wantAllowed(c, "10.0.0.255", "10.0.1.0") }),
			),
		},
		resource.TestStep{
			// An operator restarts the server and its instance is slow to come back: the cloud answers
			// ServerBusy until it is, and the provider retries instead of failing.
			PreConfig: func() {
				busyBefore = c.Refused(model.CodeServerBusy)
				holdUntilRefused(t, c, busyBefore+2)
			},
			Config: children("10.0.1.255", "16384"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(firewallRuleAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("flexpg_server_configuration.dynamic", plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("flexpg_server_configuration.static", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction(databaseAddr, plancheck.ResourceActionNoop),
			}},
			Check: resource.ComposeTestCheckFunc(
				checkCloud(func() error {
					if got := c.Refused(model.CodeServerBusy) - busyBefore; got < 2 {
						return fmt.Errorf("the cloud answered ServerBusy %d times during the apply, want at least 2", got)
					}
					rule, err := c.Client().GetFirewallRule(context.Background(), flowServer, "office")
					if err != nil || rule.EndIPAddress != "10.0.1.255" {
						return fmt.Errorf("rule %+v, %v", rule, err)
					}
					return wantAllowed(c, "10.0.1.255", "10.0.2.0")
				}),
				checkCloud(func() error { return wantParameter(c, "work_mem", "16384", "user-override") }),
			),
		},
		resource.TestStep{ResourceName: firewallRuleAddr, ImportState: true, ImportStateVerify: true},
		resource.TestStep{
			ResourceName: databaseAddr, ImportState: true, ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"charset"}, // imported in the cloud's spelling, UTF8
		},
		resource.TestStep{ResourceName: "flexpg_server_configuration.static", ImportState: true, ImportStateVerify: true},
		resource.TestStep{
			// Removing the configurations resets them; the static one restarts the server again.
			Config: flowServerHCL(c, nil, ""),
			Check: resource.ComposeTestCheckFunc(
				checkCloud(func() error { return wantParameter(c, "max_connections", "", "system-default") }),
				checkCloud(func() error { return wantParameter(c, "work_mem", "", "system-default") }),
				checkCloud(func() error {
					// 1 for setting max_connections, 1 for the operator's restart, 1 for resetting it.
					if got := restarts(c, flowServer); got != 3 {
						return fmt.Errorf("server restarted %d times, want 3", got)
					}
					if drops := c.Postgres().Calls(memcloud.MethodDropDatabase, flowServer); len(drops) != 1 || drops[0].Database != "app" {
						return fmt.Errorf("databases dropped: %+v", drops)
					}
					return wantNoChildren(c)
				}),
			),
		},
	))
}

// holdUntilRefused holds the flow server with an operator's restart and lets it go once the cloud has
// refused n requests as ServerBusy (or the wait's deadline passes; the step's checks then fail).
func holdUntilRefused(t *testing.T, c *memcloud.Cloud, n int) {
	t.Helper()
	ctx := flowContext(t)
	release, err := c.HoldServer(ctx, flowServer)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		waitErr := c.WaitRefused(ctx, model.CodeServerBusy, n)
		if err := release(ctx); err != nil {
			done <- err
			return
		}
		done <- waitErr
	}()
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("holding the server until it refused %d requests: %v", n, err)
		}
	})
}

// wantParameter checks a parameter of the flow server as the API shows it; value "" means its default. A
// set static parameter must not be left pending a restart.
func wantParameter(c *memcloud.Cloud, name, value, source string) error {
	cfg, err := c.Client().GetConfiguration(context.Background(), flowServer, name)
	if err != nil {
		return err
	}
	if value == "" {
		value = cfg.DefaultValue
	}
	if cfg.Value != value || cfg.Source != source || cfg.IsConfigPendingRestart {
		return fmt.Errorf("%s = %q (%s, pending restart %v), want %q (%s)", name, cfg.Value, cfg.Source,
			cfg.IsConfigPendingRestart, value, source)
	}
	return nil
}

// wantAllowed checks that the flow server's host endpoint admits last and not beyond: the firewall rule
// reached the gateway.
func wantAllowed(c *memcloud.Cloud, last, beyond string) error {
	ep, ok := c.Endpoints().Get(flowServer)
	if !ok {
		return fmt.Errorf("no host endpoint")
	}
	admits := func(addr string) bool {
		a := netip.MustParseAddr(addr)
		return slices.ContainsFunc(ep.Policy.Allow, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	if !admits(last) || admits(beyond) {
		return fmt.Errorf("endpoint admits %v; want %s in and %s out", ep.Policy.Allow, last, beyond)
	}
	return nil
}

// wantNoChildren checks that the flow server has no firewall rule, database or parameter override left.
func wantNoChildren(c *memcloud.Cloud) error {
	return c.Store().View(func(tx *store.Tx) error {
		rules, err := tx.ListFirewallRules(flowServer)
		if err != nil {
			return err
		}
		dbs, err := tx.ListDatabases(flowServer)
		if err != nil {
			return err
		}
		overrides, err := tx.ListConfigurations(flowServer)
		if err != nil {
			return err
		}
		if len(rules)+len(dbs)+len(overrides) != 0 {
			return fmt.Errorf("left behind: %d firewall rules, %d databases, %d parameter overrides", len(rules), len(dbs), len(overrides))
		}
		return nil
	})
}
