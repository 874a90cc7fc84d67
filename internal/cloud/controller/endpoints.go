package controller

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// EndpointPolicy is who may use a host endpoint.
type EndpointPolicy struct {
	Allow                  []netip.Prefix // real client addresses allowed; empty = nobody
	RequireSecureTransport bool
	RefusalTLS             *tls.Config
}

// firewallPrefixes turns firewall rules into the client prefixes the host endpoint admits. The 0.0.0.0 rule
// admits the cloud's own services, which never come through the host endpoint, so it adds nothing here. A
// rule that does not convert (the API validated it, so the record is damaged) is an error, not a rule
// silently dropped.
func firewallPrefixes(rules []store.FirewallRule) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, r := range rules {
		if spec.AllowsCloudServices(r.Rule.StartIPAddress, r.Rule.EndIPAddress) {
			continue
		}
		prefixes, err := rulePrefixes(r)
		if err != nil {
			return nil, err
		}
		out = append(out, prefixes...)
	}
	return out, nil
}

func rulePrefixes(r store.FirewallRule) ([]netip.Prefix, error) {
	prefixes, err := spec.IPv4RangeToPrefixes(r.Rule.StartIPAddress, r.Rule.EndIPAddress)
	if err != nil {
		return nil, fmt.Errorf("firewall rule %s of server %s: %w", r.Rule.Name, r.Server, err)
	}
	return prefixes, nil
}

func (c *Controller) endpointPolicy(st serverState) (EndpointPolicy, error) {
	refusal, err := c.refusalTLS(st.server.Spec.Name)
	if err != nil {
		return EndpointPolicy{}, err
	}
	allow, err := firewallPrefixes(st.rules)
	if err != nil {
		return EndpointPolicy{}, err
	}
	values := c.parameterValues(st.server, st.overrides)
	return EndpointPolicy{
		Allow:                  allow,
		RequireSecureTransport: requireSecureTransport(values),
		RefusalTLS:             refusal,
	}, nil
}

// openEndpoint opens (or re-opens) the server's host endpoint on its reserved port.
func (c *Controller) openEndpoint(ctx context.Context, name string) error {
	if private, err := c.isPrivate(name); err != nil || private {
		return err // private servers have no host endpoint
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	policy, err := c.endpointPolicy(st)
	if err != nil {
		return err
	}
	backend := ""
	if ip, err := c.primaryAddr(ctx, name); err == nil {
		backend = net.JoinHostPort(ip, "5432")
	}
	return c.cfg.Endpoints.OpenEndpoint(name, st.server.HostPort, backend, policy)
}

// primaryAddr is the address of the server's primary instance.
func (c *Controller) primaryAddr(ctx context.Context, name string) (string, error) {
	in, err := c.primaryOf(name)
	if err != nil {
		return "", err
	}
	return c.containerAddr(ctx, name, in)
}

// refreshEndpoint points the endpoint at the primary's current address (it changes across restarts and
// failovers).
func (c *Controller) refreshEndpoint(ctx context.Context, name string) error {
	ip, err := c.primaryAddr(ctx, name)
	if err != nil {
		return err
	}
	if err := c.cfg.Endpoints.SetBackend(name, net.JoinHostPort(ip, "5432")); err != nil {
		// Not open yet (e.g. during create): open it.
		if err := c.openEndpoint(ctx, name); err != nil {
			return err
		}
	}
	return c.refreshVirtualEndpoints(ctx, name)
}

// applyPolicy recomputes the endpoint policy after firewall or parameter changes.
func (c *Controller) applyPolicy(name string) error {
	if private, err := c.isPrivate(name); err != nil || private {
		return err // no host endpoint
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	policy, err := c.endpointPolicy(st)
	if err != nil {
		return err
	}
	return c.cfg.Endpoints.SetPolicy(name, policy)
}

// restoreEndpoints reopens the host endpoints of every server after the cloud starts (the gateway lives in
// the cloud process), and starts instances that should be running but are not (e.g. after a reboot).
func (c *Controller) restoreEndpoints(ctx context.Context) error {
	servers, err := c.listServers()
	if err != nil {
		return err
	}
	for _, s := range servers {
		if s.HostPort == 0 || s.Phase == store.PhaseProvisioning || s.Phase == store.PhaseDropping {
			continue // an unfinished create or delete: its operation takes care of it
		}
		name := s.Spec.Name
		if s.Phase == store.PhaseReady && s.ActiveOp == "" {
			for _, in := range s.Instances {
				info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container)
				if err == nil && !info.Running {
					c.log.Info("starting an instance whose container is not running", "server", name, "instance", in.Name)
					if err := c.cfg.Runtime.StartContainer(ctx, in.Container); err != nil {
						c.log.Warn("start container", "server", name, "instance", in.Name, "err", err)
					}
				} else if errors.Is(err, runtime.ErrNotFound) {
					c.log.Error("an instance's container is missing", "server", name, "instance", in.Name)
				}
			}
		}
		if s.Spec.DelegatedSubnetID != "" {
			continue // no host endpoint; the resolver reads the recorded address
		}
		if err := c.openEndpoint(ctx, name); err != nil {
			c.log.Warn("reopen host endpoint", "server", name, "port", strconv.Itoa(s.HostPort), "err", err)
		}
	}
	c.restoreVirtualEndpoints(ctx)
	return nil
}
