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
	// upstream is the server a read replica streams from (nil for a server that is not one).
	upstream *store.Server
	// peers are subnets of other virtual networks whose servers replicate with this one (replica_peering.go).
	peers []netip.Prefix
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
		if st.server.IsReplica() {
			up, err := tx.GetServer(st.server.Replication.Upstream)
			if err != nil {
				return fmt.Errorf("upstream of read replica %s: %w", name, err)
			}
			st.upstream = &up
		}
		if st.peers, err = peerSources(tx, st.server, st.upstream); err != nil {
			return err
		}
		st.rules, err = tx.ListFirewallRules(name)
		return err
	})
	return st, err
}

// instanceFiles renders the configuration files the cloud owns inside an instance's container.
func (c *Controller) instanceFiles(ctx context.Context, st serverState, in store.Instance) ([]runtime.File, error) {
	pl, err := c.placement(ctx, st.server)
	if err != nil {
		return nil, err
	}
	values := c.parameterValues(st.server, st.overrides)
	settings := spec.EngineParameterValues(values)
	role, err := roleSettings(st, in)
	if err != nil {
		return nil, err
	}
	for k, v := range role {
		settings[k] = v
	}
	archive, err := archiveSettings(st)
	if err != nil {
		return nil, err
	}
	for k, v := range archive {
		settings[k] = v
	}
	conf, err := postgres.RenderConfig(settings)
	if err != nil {
		return nil, fmt.Errorf("render postgresql.conf: %w", err)
	}
	replSources, err := c.replicationSources(ctx, pl)
	if err != nil {
		return nil, err
	}
	replSources = append(replSources, st.peers...)
	hbaIn := postgres.HBAInput{
		ManagementCIDR:         netip.PrefixFrom(pl.gateway, 32),
		RequireSecureTransport: requireSecureTransport(values),
		ReplicationSources:     replSources,
	}
	switch {
	case in.Role == store.RoleStandby:
		// The standby serves no queries (the service documents it): no user may even try a password there.
	case pl.private:
		// Clients inside the VNet; never the machine itself (its address on the subnet).
		hbaIn.UserSources = pl.sources
		hbaIn.RejectSources = []netip.Prefix{netip.PrefixFrom(pl.gateway, 32)}
	default:
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
	repl, err := c.replicationFiles()
	if err != nil {
		return nil, err
	}
	files = append(files, repl...)
	files = append(files, archiveFiles()...)
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

// ensureContainer creates an instance's container (if missing) and writes its configuration files.
func (c *Controller) ensureContainer(ctx context.Context, name string, in store.Instance, image string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	sku, ok := spec.LookupSKU(st.server.Spec.SKUName)
	if !ok {
		return fmt.Errorf("unknown sku %q", st.server.Spec.SKUName)
	}
	if in.Volume == "" {
		return fmt.Errorf("instance %s of server %s has no data volume yet", in.Name, name)
	}
	compute := spec.ScaledCompute(sku, c.cfg.Scale)
	pl, err := c.placement(ctx, st.server)
	if err != nil {
		return err
	}
	labels := c.labels(serverResource(name), "server")
	labels[LabelInstance] = in.Name
	labels[LabelZone] = in.Zone
	cs := runtime.ContainerSpec{
		Name:       in.Container,
		Image:      image,
		Hostname:   name,
		Labels:     labels,
		Network:    pl.network,
		Mounts:     []runtime.Mount{{Volume: in.Volume, Target: postgres.DataVolume}, c.backupMount(st.server)},
		NanoCPUs:   compute.NanoCPUs,
		MemoryByte: compute.MemoryBytes,
		StopSignal: "SIGINT",
	}
	if pl.private {
		cs.DNS = []string{pl.gateway.String()} // the cloud's resolver answers the private zones
	}
	_, err = c.cfg.Runtime.CreateContainer(ctx, cs)
	if err != nil {
		return fmt.Errorf("create container: %w", err)
	}
	return c.writeFiles(ctx, st, in)
}

// Labels on an instance's container, besides the ownership labels: which instance of the server it is and
// the zone it stands for (faults such as zone-down find containers by zone).
const (
	LabelInstance = "io.flexpg.instance"
	LabelZone     = "io.flexpg.zone"
)

// writeFiles (re)renders and copies an instance's configuration files.
func (c *Controller) writeFiles(ctx context.Context, st serverState, in store.Instance) error {
	files, err := c.instanceFiles(ctx, st, in)
	if err != nil {
		return err
	}
	if err := c.cfg.Runtime.CopyFiles(ctx, in.Container, files); err != nil {
		return fmt.Errorf("copy configuration into the container: %w", err)
	}
	return nil
}

// writeAllFiles re-renders the files of every instance of the server.
func (c *Controller) writeAllFiles(ctx context.Context, name string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	for _, in := range st.server.Instances {
		if err := c.writeFiles(ctx, st, in); err != nil {
			return fmt.Errorf("instance %s: %w", in.Name, err)
		}
	}
	return nil
}

// containerAddr returns the address of an instance's container on the server's network.
func (c *Controller) containerAddr(ctx context.Context, name string, in store.Instance) (string, error) {
	info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container)
	if err != nil {
		return "", err
	}
	pl, err := c.serverPlacement(ctx, name)
	if err != nil {
		return "", err
	}
	ip := info.IPs[pl.network]
	if ip == "" {
		return "", &instanceDownError{server: name, instance: in.Name, container: info.Name, running: info.Running, network: pl.network}
	}
	return ip, nil
}

// instanceDownError says an instance's container has no address: it is not running, or cut off.
type instanceDownError struct {
	server, instance, container, network string
	running                              bool
}

func (e *instanceDownError) Error() string {
	if !e.running {
		return fmt.Sprintf("the %s instance of server %s is down (container %s is not running)", e.instance, e.server, e.container)
	}
	return fmt.Sprintf("the %s instance of server %s is cut off (container %s has no address on %s)", e.instance, e.server, e.container, e.network)
}

// instanceSession waits until an instance accepts a management session and returns it.
func (c *Controller) instanceSession(ctx context.Context, name string, in store.Instance) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ReadyTimeout)
	defer cancel()
	ip, err := c.containerAddr(ctx, name, in)
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

// withInstanceSession runs fn on a fresh management session to one instance.
func (c *Controller) withInstanceSession(ctx context.Context, name string, in store.Instance, fn func(Session) error) error {
	sess, err := c.instanceSession(ctx, name, in)
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

// withSession runs fn on a fresh management session to the server's primary: where users' changes (roles,
// databases) are made and from where they replicate.
func (c *Controller) withSession(ctx context.Context, name string, fn func(Session) error) error {
	in, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	return c.withInstanceSession(ctx, name, in, fn)
}

// primaryOf returns the server's primary instance as recorded.
func (c *Controller) primaryOf(name string) (store.Instance, error) {
	var in store.Instance
	err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		if err != nil {
			return err
		}
		p, ok := s.Primary()
		if !ok {
			return fmt.Errorf("server %s has no primary instance", name)
		}
		in = *p
		return nil
	})
	return in, err
}

// instancesOf returns the server's instances, primary first: the order in which they start.
func (c *Controller) instancesOf(name string) ([]store.Instance, error) {
	var out []store.Instance
	err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		if err != nil {
			return err
		}
		if p, ok := s.Primary(); ok {
			out = append(out, *p)
		}
		for _, in := range s.Instances {
			if in.Role != store.RolePrimary {
				out = append(out, in)
			}
		}
		return nil
	})
	return out, err
}

// startInstance starts an instance's container and waits until PostgreSQL answers. A primary's host
// endpoint is pointed at it.
func (c *Controller) startInstance(ctx context.Context, name string, in store.Instance) error {
	if err := c.cfg.Runtime.StartContainer(ctx, in.Container); err != nil {
		return fmt.Errorf("start container: %w", err)
	}
	if err := c.awaitStart(ctx, name, in); err != nil {
		return err
	}
	if err := c.recordAddress(ctx, name, in); err != nil {
		return err
	}
	if in.Role != store.RolePrimary {
		return nil
	}
	if private, err := c.isPrivate(name); err != nil || private {
		return err
	}
	return c.refreshEndpoint(ctx, name)
}

// stopInstance stops an instance's container gracefully (PostgreSQL fast shutdown on SIGINT).
func (c *Controller) stopInstance(ctx context.Context, name string, in store.Instance) error {
	if err := c.cfg.Runtime.StopContainer(ctx, in.Container, 30*time.Second); err != nil {
		return fmt.Errorf("stop container: %w", err)
	}
	if in.Role != store.RolePrimary {
		return nil
	}
	if private, err := c.isPrivate(name); err != nil || private {
		return err
	}
	if err := c.cfg.Endpoints.SetBackend(name, ""); err != nil {
		return err
	}
	return c.refreshVirtualEndpoints(ctx, name)
}

// startServer starts every instance of the server, the primary first.
func (c *Controller) startServer(ctx context.Context, name string) error {
	ins, err := c.instancesOf(name)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if err := c.startInstance(ctx, name, in); err != nil {
			return err
		}
	}
	return nil
}

// stopServer stops every instance, the primary first: its fast shutdown sends the last WAL to the standby,
// which is still there to receive it.
func (c *Controller) stopServer(ctx context.Context, name string) error {
	ins, err := c.instancesOf(name)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if err := c.stopInstance(ctx, name, in); err != nil {
			return err
		}
	}
	return nil
}

// restartServer stops and starts every instance, re-rendering the files first so static parameters take
// effect.
func (c *Controller) restartServer(ctx context.Context, name string) error {
	if err := c.writeAllFiles(ctx, name); err != nil {
		return err
	}
	if err := c.stopServer(ctx, name); err != nil {
		return err
	}
	return c.startServer(ctx, name)
}

// allRunning reports whether every instance's container is running.
func (c *Controller) allRunning(ctx context.Context, name string) (bool, error) {
	ins, err := c.instancesOf(name)
	if err != nil {
		return false, err
	}
	for _, in := range ins {
		info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container)
		if err != nil {
			return false, err
		}
		if !info.Running {
			return false, nil
		}
	}
	return true, nil
}
