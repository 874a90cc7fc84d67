package controller

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// serverState is everything needed to render an instance's files.
type serverState struct {
	server    store.Server
	overrides []store.Configuration
	rules     []store.FirewallRule
}

func (c *Controller) loadServerState(name string) (serverState, error) {
	var st serverState
	err := c.store.View(func(tx *store.Tx) error {
		var err error
		if st.server, err = tx.GetServer(name); err != nil {
			return err
		}
		if st.overrides, err = tx.ListConfigurations(name); err != nil {
			return err
		}
		st.rules, err = tx.ListFirewallRules(name)
		return err
	})
	return st, err
}

// instanceFiles renders the configuration files the cloud owns inside the container.
func (c *Controller) instanceFiles(ctx context.Context, st serverState) ([]runtime.File, error) {
	pl, err := c.placement(ctx, st.server)
	if err != nil {
		return nil, err
	}
	values := c.parameterValues(st.server, st.overrides)
	conf, err := postgres.RenderConfig(spec.EngineParameterValues(values))
	if err != nil {
		return nil, fmt.Errorf("render postgresql.conf: %w", err)
	}
	hbaIn := postgres.HBAInput{
		ManagementCIDR:         netip.PrefixFrom(pl.gateway, 32),
		RequireSecureTransport: requireSecureTransport(values),
	}
	if pl.private {
		// Clients inside the VNet; never the machine itself (its address on the subnet).
		hbaIn.UserSources = pl.sources
		hbaIn.RejectSources = []netip.Prefix{netip.PrefixFrom(pl.gateway, 32)}
	} else {
		netInfo, err := c.publicNetwork(ctx)
		if err != nil {
			return nil, err
		}
		if hbaIn.UserSources, err = userSources(netInfo, st.rules); err != nil {
			return nil, err
		}
	}
	hba, err := postgres.RenderHBA(hbaIn)
	if err != nil {
		return nil, fmt.Errorf("render pg_hba.conf: %w", err)
	}
	certPEM, keyPEM, err := c.serverCert(st.server.Spec.Name)
	if err != nil {
		return nil, err
	}
	files := []runtime.File{
		{Path: postgres.ConfigFile, Mode: 0o644, Content: conf},
		{Path: postgres.HBAFile, Mode: 0o640, Content: hba},
		{Path: postgres.IdentFile, Mode: 0o640, Content: postgres.RenderIdent()},
		{Path: postgres.CertFile, Mode: 0o644, Content: certPEM},
		{Path: postgres.KeyFile, Mode: 0o600, Content: keyPEM},
		{Path: postgres.CAFile, Mode: 0o644, Content: c.cfg.CA.CertPEM()},
	}
	for i := range files {
		files[i].UID, files[i].GID = postgres.OSUserUID, postgres.OSUserGID
	}
	return files, nil
}

// userSources are the client networks pg_hba lets try a password: the host's bridge address (the gateway,
// which enforces the firewall against the real client address), the firewall rules themselves (for clients
// inside the cloud's network) and, with the 0.0.0.0 rule, the whole cloud network.
func userSources(netInfo runtime.NetworkInfo, rules []store.FirewallRule) ([]netip.Prefix, error) {
	out := []netip.Prefix{hostPrefix(netInfo)}
	for _, r := range rules {
		if spec.AllowsCloudServices(r.Rule.StartIPAddress, r.Rule.EndIPAddress) {
			p, err := netip.ParsePrefix(netInfo.Subnet)
			if err != nil {
				return nil, fmt.Errorf("the cloud network's subnet: %w", err)
			}
			out = append(out, p)
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

// ensureContainer creates the server's container (if missing) and writes its configuration files.
func (c *Controller) ensureContainer(ctx context.Context, name string, image string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	sku, ok := spec.LookupSKU(st.server.Spec.SKUName)
	if !ok {
		return fmt.Errorf("unknown sku %q", st.server.Spec.SKUName)
	}
	if st.server.Volume == "" {
		return fmt.Errorf("server %s has no data volume yet", name)
	}
	compute := spec.ScaledCompute(sku, c.cfg.Scale)
	pl, err := c.placement(ctx, st.server)
	if err != nil {
		return err
	}
	cs := runtime.ContainerSpec{
		Name:       c.containerName(name),
		Image:      image,
		Hostname:   name,
		Labels:     c.labels(serverResource(name), "server"),
		Network:    pl.network,
		Mounts:     []runtime.Mount{{Volume: st.server.Volume, Target: postgres.DataVolume}},
		NanoCPUs:   compute.NanoCPUs,
		MemoryByte: compute.MemoryBytes,
		StopSignal: "SIGINT",
	}
	if pl.private {
		cs.DNS = []string{pl.gateway.String()} // the cloud's resolver answers the private zones
	} else {
		cs.Aliases = []string{spec.ServerFQDN(name)}
	}
	_, err = c.cfg.Runtime.CreateContainer(ctx, cs)
	if err != nil {
		return fmt.Errorf("create container: %w", err)
	}
	return c.writeFiles(ctx, st)
}

// writeFiles (re)renders and copies the instance's configuration files.
func (c *Controller) writeFiles(ctx context.Context, st serverState) error {
	files, err := c.instanceFiles(ctx, st)
	if err != nil {
		return err
	}
	if err := c.cfg.Runtime.CopyFiles(ctx, c.containerName(st.server.Spec.Name), files); err != nil {
		return fmt.Errorf("copy configuration into the container: %w", err)
	}
	return nil
}

// instanceAddr returns the container's address on the public network.
func (c *Controller) instanceAddr(ctx context.Context, name string) (string, error) {
	info, err := c.cfg.Runtime.InspectContainer(ctx, c.containerName(name))
	if err != nil {
		return "", err
	}
	pl, err := c.serverPlacement(ctx, name)
	if err != nil {
		return "", err
	}
	ip := info.IPs[pl.network]
	if ip == "" {
		return "", fmt.Errorf("container %s has no address on %s (running: %v)", info.Name, pl.network, info.Running)
	}
	return ip, nil
}

// session waits until the instance accepts a management session and returns it.
func (c *Controller) session(ctx context.Context, name string) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ReadyTimeout)
	defer cancel()
	ip, err := c.instanceAddr(ctx, name)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := c.managementTLS(name)
	if err != nil {
		return nil, err
	}
	sess, err := c.cfg.Postgres.Connect(ctx, ip, tlsConfig)
	if err != nil {
		return nil, fmt.Errorf("wait for PostgreSQL on %s to accept connections: %w", ip, err)
	}
	return sess, nil
}

// withSession runs fn on a fresh management session.
func (c *Controller) withSession(ctx context.Context, name string, fn func(Session) error) error {
	sess, err := c.session(ctx, name)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sess.Close(closeCtx)
	}()
	return fn(sess)
}

// startInstance starts the container, waits until PostgreSQL answers, and points the host endpoint at it.
func (c *Controller) startInstance(ctx context.Context, name string) error {
	if err := c.cfg.Runtime.StartContainer(ctx, c.containerName(name)); err != nil {
		return fmt.Errorf("start container: %w", err)
	}
	if err := c.awaitStart(ctx, name); err != nil {
		return err
	}
	if err := c.recordAddress(ctx, name); err != nil {
		return err
	}
	if private, err := c.isPrivate(name); err != nil || private {
		return err
	}
	return c.refreshEndpoint(ctx, name)
}

// stopInstance stops the container gracefully (PostgreSQL fast shutdown on SIGINT).
func (c *Controller) stopInstance(ctx context.Context, name string) error {
	if err := c.cfg.Runtime.StopContainer(ctx, c.containerName(name), 30*time.Second); err != nil {
		return fmt.Errorf("stop container: %w", err)
	}
	if private, err := c.isPrivate(name); err != nil || private {
		return err
	}
	return c.cfg.Endpoints.SetBackend(name, "")
}

// restartInstance stops and starts, re-rendering the files first so static parameters take effect.
func (c *Controller) restartInstance(ctx context.Context, name string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st); err != nil {
		return err
	}
	if err := c.stopInstance(ctx, name); err != nil {
		return err
	}
	return c.startInstance(ctx, name)
}
