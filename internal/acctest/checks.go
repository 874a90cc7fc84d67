package acctest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Resource types the checks know.
const (
	typeServer        = ProviderName + "_server"
	typeFirewallRule  = ProviderName + "_firewall_rule"
	typeConfiguration = ProviderName + "_server_configuration"
	typeDatabase      = ProviderName + "_database"
	typeReadReplica   = ProviderName + "_read_replica"
	typeEndpoint      = ProviderName + "_virtual_endpoint"
	// Network resources: network.go.
	typeVirtualNetwork     = ProviderName + "_virtual_network"
	typeSubnet             = ProviderName + "_subnet"
	typePrivateDNSZone     = ProviderName + "_private_dns_zone"
	typePrivateDNSZoneLink = ProviderName + "_private_dns_zone_virtual_network_link"
)

// CheckDestroy is a TestCase.CheckDestroy for any configuration of flexpg resources: every server, read
// replica, virtual endpoint, firewall rule, database and network object left in the final state must be
// gone from the cloud, and every configuration must be back at its default (or gone with its server).
func CheckDestroy(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		id := rs.Primary.ID
		var check resource.TestCheckFunc
		switch rs.Type {
		case typeServer, typeReadReplica:
			name, err := spec.ParseServerID(id)
			if err != nil {
				return err
			}
			check = CheckServerDestroyed(name)
		case typeFirewallRule:
			server, rule, err := spec.ParseChildID(id, spec.CollectionFirewallRules)
			if err != nil {
				return err
			}
			check = CheckFirewallRuleDestroyed(server, rule)
		case typeEndpoint:
			server, name, err := spec.ParseChildID(id, spec.CollectionVirtualEndpoints)
			if err != nil {
				return err
			}
			check = CheckVirtualEndpointDestroyed(server, name)
		case typeDatabase:
			server, db, err := spec.ParseChildID(id, spec.CollectionDatabases)
			if err != nil {
				return err
			}
			check = CheckDatabaseDestroyed(server, db)
		case typeConfiguration:
			server, param, err := spec.ParseChildID(id, spec.CollectionConfigurations)
			if err != nil {
				return err
			}
			check = CheckConfigurationDefault(server, param)
		default:
			var err error
			check, err = networkDestroyCheck(rs.Type, id)
			if err != nil {
				return err
			}
			if check == nil {
				continue
			}
		}
		if err := check(s); err != nil {
			return err
		}
	}
	return nil
}

// CheckServerDestroyed checks that the cloud has no server with this name.
func CheckServerDestroyed(name string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("server %q", name), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetServer(ctx, name)
		return err
	})
}

// CheckFirewallRuleDestroyed checks that the server has no such firewall rule (or that the server is gone).
func CheckFirewallRuleDestroyed(server, rule string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("firewall rule %q of server %q", rule, server), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetFirewallRule(ctx, server, rule)
		return err
	})
}

// CheckDatabaseDestroyed checks that the server has no such database (or that the server is gone).
func CheckDatabaseDestroyed(server, db string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("database %q of server %q", db, server), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetDatabase(ctx, server, db)
		return err
	})
}

// CheckVirtualEndpointDestroyed checks that the server has no such virtual endpoint (or that it is gone).
func CheckVirtualEndpointDestroyed(server, name string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("virtual endpoint %q of server %q", name, server), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetVirtualEndpoint(ctx, server, name)
		return err
	})
}

// checkGone passes when find reports ErrNotFound and fails on success or any other error.
func checkGone(what string, find func(*client.Client) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := envClient()
		if err != nil {
			return err
		}
		switch err := find(c); {
		case err == nil:
			return fmt.Errorf("%s still exists", what)
		case errors.Is(err, client.ErrNotFound):
			return nil
		default:
			return fmt.Errorf("checking that %s is gone: %w", what, err)
		}
	}
}

// CheckConfigurationDefault checks that a server parameter is back at its default value and source (a
// flexpg_server_configuration was destroyed). A missing server passes: its parameters are gone with it.
func CheckConfigurationDefault(server, param string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cfg, err := findConfiguration(server, param)
		if errors.Is(err, client.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if cfg.Value != cfg.DefaultValue || cfg.Source == sourceUserOverride {
			return fmt.Errorf("parameter %q of server %q is %q (source %s), want its default %q",
				param, server, cfg.Value, cfg.Source, cfg.DefaultValue)
		}
		return nil
	}
}

// sourceUserOverride is the configuration source of a value a user set.
const sourceUserOverride = "user-override"

// CheckConfigurationValue checks a server parameter's live value in the cloud (not just in state), and that
// no restart is pending for it: a static parameter has been applied by a restart.
func CheckConfigurationValue(server, param, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cfg, err := findConfiguration(server, param)
		if err != nil {
			return err
		}
		if cfg.Value != want {
			return fmt.Errorf("parameter %q of server %q is %q, want %q", param, server, cfg.Value, want)
		}
		if cfg.IsConfigPendingRestart {
			return fmt.Errorf("parameter %q of server %q still waits for a restart", param, server)
		}
		return nil
	}
}

func findConfiguration(server, param string) (*model.Configuration, error) {
	c, err := envClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := checkContext()
	defer cancel()
	return c.GetConfiguration(ctx, server, param)
}

// CheckServerExists checks that the cloud has the server and, if state is not empty, that it is in that
// state (for example spec.StateStopped).
func CheckServerExists(name, state string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := envClient()
		if err != nil {
			return err
		}
		ctx, cancel := checkContext()
		defer cancel()
		s, err := c.GetServer(ctx, name)
		if err != nil {
			return fmt.Errorf("reading server %q: %w", name, err)
		}
		if state != "" && s.State != state {
			return fmt.Errorf("server %q is %q, want %q", name, s.State, state)
		}
		return nil
	}
}

// outOfBandTimeout bounds a change a test makes behind Terraform's back.
const outOfBandTimeout = 10 * time.Minute

// DeleteServerOutOfBand deletes a server behind Terraform's back (a _disappears test) and waits until it is
// gone. Use it in a TestStep's PreConfig.
func DeleteServerOutOfBand(t *testing.T, name string) {
	t.Helper()
	c := Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), outOfBandTimeout)
	defer cancel()
	op, err := c.DeleteServer(ctx, name)
	if _, err = c.Do(ctx, op, err, nil); err != nil {
		t.Fatalf("deleting server %q out of band: %v", name, err)
	}
	if err := c.WaitServerGone(ctx, name); err != nil {
		t.Fatalf("waiting for server %q to be gone: %v", name, err)
	}
}
