package store

import (
	"errors"
	"slices"
	"time"
)

// Replication links a server to the server its primary instance streams from, for as long as it is a read
// replica: one created as a replica, or an old primary after its replica was promoted to primary server.
type Replication struct {
	// Upstream is the server it streams from (whose primary holds Slot for it).
	Upstream string `json:"upstream"`
	// Slot is the physical slot the upstream keeps for it.
	Slot string `json:"slot"`
	// State is replication_state (spec.ReplicationState*).
	State string `json:"state"`
	// PromoteTarget is the upstream's WAL position a promotion of the replica waits for (planned) or measured
	// its lag against (forced); 0 when none is known.
	PromoteTarget uint64 `json:"promote_target,omitempty"`
	// UnreachableSince is when the watcher first found it not streaming; Broken follows after a grace.
	UnreachableSince *time.Time `json:"unreachable_since,omitempty"`
}

// Promotion is the outcome of a replica's last promotion, which the API reports.
type Promotion struct {
	Role   string    `json:"role"`
	Option string    `json:"option"`
	From   string    `json:"from"` // the primary it left
	At     time.Time `json:"at"`
	// LagBytes is how far the replica's replay was behind its primary's last known WAL position when it was
	// promoted: for a forced promotion, the most it may have lost (0 for planned).
	LagBytes int64 `json:"lag_bytes"`
}

// IsReplica reports whether the server streams from another server now.
func (s Server) IsReplica() bool { return s.Replication != nil && s.Replication.Upstream != "" }

// AddStaleSlot records a slot of a deleted replica that the server must drop when it next runs.
func (s *Server) AddStaleSlot(slot string) {
	if !slices.Contains(s.StaleSlots, slot) {
		s.StaleSlots = append(s.StaleSlots, slot)
	}
}

// ReplicasOf returns the servers that stream from name, sorted by name.
func (t *Tx) ReplicasOf(name string) ([]Server, error) {
	all, err := t.ListServers()
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, s := range all {
		if s.IsReplica() && s.Replication.Upstream == name {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Server) int {
		if a.Spec.Name < b.Spec.Name {
			return -1
		}
		if a.Spec.Name > b.Spec.Name {
			return 1
		}
		return 0
	})
	return out, nil
}

// HoldPartner makes s busy with op as well: a server an operation on another server changes too (a replica's
// primary is Updating while the replica is created, deleted or promoted). Its phase is kept and shown again
// when op releases it.
func (t *Tx) HoldPartner(s Server, op *Operation, phase string) error {
	s.ActiveOp = op.ID
	if s.Phase != phase {
		s.PartnerPhase, s.Phase = s.Phase, phase
	}
	if !slices.Contains(op.Partners, s.Spec.Name) {
		op.Partners = append(op.Partners, s.Spec.Name)
	}
	return t.PutServer(s)
}

// ReleasePartner frees s from op, giving back the phase it had before HoldPartner.
func (t *Tx) ReleasePartner(name, opID string) error {
	s, err := t.GetServer(name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || s.ActiveOp != opID {
		return err
	}
	s.ActiveOp = ""
	if s.PartnerPhase != "" {
		s.Phase, s.PartnerPhase = s.PartnerPhase, ""
	}
	return t.PutServer(s)
}
