package controller

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// DeletePayload is the input of a server delete.
type DeletePayload struct {
	// HandBackTo is set when the server is a replica promoted to primary server whose only replica is the old
	// primary it swapped roles with: the old primary is promoted back (planned) before the server goes, so
	// deleting the promoted replica (as `terraform destroy` does first, since it depends on the old primary)
	// leaves the old primary serving instead of refusing.
	HandBackTo string `json:"hand_back_to,omitempty"`
}

// handBackSteps promote the old primary to back to primary server from name, which is deleted next: the
// steps of a planned promotion to primary server, without bringing name back as a replica.
func (c *Controller) handBackSteps(name, to string) []step {
	p := PromotePayload{Role: spec.ReplicationRolePrimary, Option: spec.PromoteOptionPlanned, From: name}
	return []step{
		{"handBackBegin", func(ctx context.Context, r *run) error {
			return c.setReplicationState(to, spec.ReplicationStateReconfiguring)
		}},
		{"handBackDrain", func(ctx context.Context, r *run) error {
			if running, err := c.primaryRunning(ctx, name); err != nil || !running {
				return err // stopped: its clean shutdown sent the old primary everything
			}
			return c.drainUpstream(ctx, to, p)
		}},
		{"handBackPromote", func(ctx context.Context, r *run) error { return c.promoteReplica(ctx, to, p) }},
		{"handBackDetach", func(ctx context.Context, r *run) error {
			s, err := c.getServer(to)
			if err != nil {
				return err
			}
			q := p
			q.Desired = s.Spec
			return c.detachReplica(ctx, to, q)
		}},
		{"handBackEndpoints", func(ctx context.Context, r *run) error { return c.moveVirtualEndpoints(ctx, to, p) }},
		{"handBackDone", func(ctx context.Context, r *run) error {
			if err := c.applyIsolation(ctx); err != nil {
				return err
			}
			return c.setReplicationState(to, spec.ReplicationStateActive)
		}},
	}
}
