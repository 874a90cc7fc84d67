package controller

import (
	"context"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// brokenAfter is how long a replica may not stream from its primary before its replication_state is Broken:
// longer than a restart of either side takes, so a restart is not reported as a broken link.
const brokenAfter = 10 * time.Second

// replicationFacts is what the watcher saw of a replica's link to its primary.
type replicationFacts struct {
	State string // replication_state as recorded
	// Streaming: the replica's WAL receiver streams from its primary.
	Streaming bool
	// UpstreamStopped: its primary is stopped on purpose; the link is not broken, only idle (seed 004: the
	// state stays Active while the servers are stopped).
	UpstreamStopped  bool
	UnreachableSince *time.Time
	Now              time.Time
}

// decideReplicationState is the replica's replication_state after a look, and since when it has not
// streamed (nil while it streams). Only Active and Broken move here; the other states belong to the
// operations that set them.
func decideReplicationState(f replicationFacts) (string, *time.Time) {
	if f.State != spec.ReplicationStateActive && f.State != spec.ReplicationStateBroken {
		return f.State, f.UnreachableSince
	}
	if f.Streaming || f.UpstreamStopped {
		return spec.ReplicationStateActive, nil
	}
	since := f.UnreachableSince
	if since == nil {
		now := f.Now
		since = &now
	}
	if f.Now.Sub(*since) >= brokenAfter {
		return spec.ReplicationStateBroken, since
	}
	return f.State, since
}

// watchReplication records whether a running replica streams from its primary.
func (c *Controller) watchReplication(ctx context.Context, s store.Server, primary store.Instance) {
	if !s.IsReplica() {
		return
	}
	up, err := c.getServer(s.Replication.Upstream)
	if err != nil {
		return
	}
	f := replicationFacts{State: s.Replication.State, UpstreamStopped: up.Phase == store.PhaseStopped,
		UnreachableSince: s.Replication.UnreachableSince, Now: c.now()}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := c.withInstanceSession(pctx, s.Spec.Name, primary, func(sess Session) error {
		st, err := sess.Status(pctx)
		f.Streaming = err == nil && st.InRecovery && st.Receiver == "streaming"
		return err
	}); err != nil {
		return // the instance's health is the watcher's other business
	}
	state, since := decideReplicationState(f)
	if state == f.State && (since == nil) == (f.UnreachableSince == nil) {
		return
	}
	if state != f.State {
		c.log.Warn("read replica link changed", "server", s.Spec.Name, "upstream", up.Spec.Name, "from", f.State, "to", state)
	}
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, s.Spec.Name, func(cur *store.Server) {
			if cur.Replication != nil && cur.ActiveOp == "" {
				cur.Replication.State, cur.Replication.UnreachableSince = state, since
			}
		})
	}); err != nil {
		c.log.Warn("watch: record replication state", "server", s.Spec.Name, "err", err)
	}
}
