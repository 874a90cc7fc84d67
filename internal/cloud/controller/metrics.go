package controller

import (
	"context"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// Metrics reads a server's replication metrics from PostgreSQL now: on a primary with read replicas the
// largest lag of their slots in bytes, on a replica the seconds since the last transaction it replayed. A
// server that is not running reports what it can (the state), not an error.
func (c *Controller) Metrics(ctx context.Context, name string) (model.Metrics, error) {
	var s store.Server
	var replicas []store.Server
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		if s, err = tx.GetServer(name); err != nil {
			return err
		}
		replicas, err = tx.ReplicasOf(name)
		return err
	}); err != nil {
		return model.Metrics{}, err
	}
	var m model.Metrics
	if s.IsReplica() {
		m.ReplicationState = s.Replication.State
	}
	if running, err := c.primaryRunning(ctx, name); err != nil || !running {
		return m, nil
	}
	err := c.withSession(ctx, name, func(sess Session) error {
		if s.IsReplica() {
			secs, err := sess.ReplayLagSeconds(ctx)
			if err != nil {
				return err
			}
			m.ReadReplicaLagSeconds = secs
		}
		if len(replicas) == 0 {
			return nil
		}
		lags, err := sess.ReplicaSlotLags(ctx)
		if err != nil {
			return err
		}
		m.MaxPhysicalReplicationLagBytes = maxReplicaLag(lags, replicas)
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("metrics of %s: %w", name, err)
	}
	return m, nil
}

// maxReplicaLag is the largest lag among the slots of replicas (nil when none of them has a slot yet).
func maxReplicaLag(lags []postgres.SlotLag, replicas []store.Server) *int64 {
	ours := map[string]bool{}
	for _, r := range replicas {
		ours[r.Replication.Slot] = true
	}
	var top *int64
	for _, l := range lags {
		if ours[l.Slot] && (top == nil || l.Bytes > *top) {
			b := l.Bytes
			top = &b
		}
	}
	return top
}
