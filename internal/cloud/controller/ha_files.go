package controller

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// standbyName is the application name and the slot name of an instance when it streams as a standby: the
// same string, so pg_stat_replication and pg_replication_slots name it alike.
func standbyName(in store.Instance) (string, error) { return postgres.SlotName(in.Name) }

// roleSettings are the postgresql.conf settings of an instance's role. A standby streams from the primary's
// recorded address through its own slot. A primary waits for its standby's flush while HA.SyncOn; without
// it (no standby, or one being rebuilt after a failover) it acknowledges commits locally.
//
// A read replica's primary instance streams too, asynchronously, from its upstream server's primary through
// the slot the upstream keeps for the replica.
func roleSettings(st serverState, in store.Instance) (map[string]string, error) {
	s := st.server
	if in.Role == store.RolePrimary && st.upstream != nil {
		peer, err := primaryPeerOf(*st.upstream)
		if err != nil {
			return nil, err
		}
		return postgres.StandbySettings(postgres.StandbyConfig{
			Primary: peer, SlotName: s.Replication.Slot, ApplicationName: s.Replication.Slot,
		})
	}
	if in.Role == store.RoleStandby {
		peer, err := primaryPeerOf(s)
		if err != nil {
			return nil, err
		}
		name, err := standbyName(in)
		if err != nil {
			return nil, err
		}
		return postgres.StandbySettings(postgres.StandbyConfig{Primary: peer, SlotName: name, ApplicationName: name})
	}
	var sync []string
	if standby, ok := s.Standby(); ok && s.HA.SyncOn {
		name, err := standbyName(*standby)
		if err != nil {
			return nil, err
		}
		sync = []string{name}
	}
	return postgres.PrimarySettings(sync)
}

// primaryPeerOf is how an instance streaming from s reaches s's primary: its recorded address, verified as
// s's FQDN.
func primaryPeerOf(s store.Server) (postgres.Peer, error) {
	primary, ok := s.Primary()
	if !ok {
		return postgres.Peer{}, fmt.Errorf("server %s has no primary to stream from", s.Spec.Name)
	}
	return primaryPeer(s.Spec.Name, *primary)
}

// replicationSources are where the server's instances may open replication connections from: the network
// they share (its subnet, or a private server's VNet). The replication role also needs the cloud's client
// certificate, which only the instances hold.
func (c *Controller) replicationSources(ctx context.Context, pl placement) ([]netip.Prefix, error) {
	if pl.private {
		return pl.sources, nil
	}
	info, err := c.publicNetwork(ctx)
	if err != nil {
		return nil, err
	}
	p, err := netip.ParsePrefix(info.Subnet)
	if err != nil {
		return nil, fmt.Errorf("the cloud network's subnet: %w", err)
	}
	return []netip.Prefix{p}, nil
}

// replCert is the client certificate of the replication role, issued once per run of the cloud.
type replCert struct {
	once      sync.Once
	cert, key []byte
	err       error
}

// replicationFiles are the replication role's certificate and key, which every instance holds: a standby
// streams with them, and a primary becomes a standby after a failover.
func (c *Controller) replicationFiles() ([]runtime.File, error) {
	c.repl.once.Do(func() { c.repl.cert, c.repl.key, c.repl.err = c.cfg.CA.IssueClient(postgres.ReplicationRole) })
	if c.repl.err != nil {
		return nil, fmt.Errorf("issue the replication certificate: %w", c.repl.err)
	}
	return []runtime.File{
		{Path: postgres.ReplicationCertFile, Mode: 0o644, Content: c.repl.cert},
		{Path: postgres.ReplicationKeyFile, Mode: 0o600, Content: c.repl.key},
	}, nil
}
