package client

import (
	"context"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

const firewallRulesCollection = "firewallRules"

// ListFirewallRules returns the firewall rules of a server.
func (c *Client) ListFirewallRules(ctx context.Context, server string) ([]model.FirewallRule, error) {
	p, err := apiPath(serversCollection, server, firewallRulesCollection)
	if err != nil {
		return nil, err
	}
	return list[model.FirewallRule](ctx, c, p)
}

// GetFirewallRule reads one firewall rule; ErrNotFound if it or its server does not exist.
func (c *Client) GetFirewallRule(ctx context.Context, server, name string) (*model.FirewallRule, error) {
	p, err := apiPath(serversCollection, server, firewallRulesCollection, name)
	if err != nil {
		return nil, err
	}
	return get[model.FirewallRule](ctx, c, p)
}

// PutFirewallRule creates or updates the rule named r.Name.
func (c *Client) PutFirewallRule(ctx context.Context, server string, r model.FirewallRule) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, firewallRulesCollection, r.Name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodPut, path: p, body: r})
}

// DeleteFirewallRule deletes a firewall rule.
func (c *Client) DeleteFirewallRule(ctx context.Context, server, name string) (*model.Operation, error) {
	p, err := apiPath(serversCollection, server, firewallRulesCollection, name)
	if err != nil {
		return nil, err
	}
	return c.startOperation(ctx, request{method: http.MethodDelete, path: p})
}
