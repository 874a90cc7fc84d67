package store

import (
	"encoding/json"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Server phases: what the controller is doing with, or has made of, a server. The API reports the phase as
// the server's state, as the service does.
const (
	PhaseProvisioning = "Provisioning"
	PhaseReady        = "Ready"
	PhaseUpdating     = "Updating"
	PhaseStarting     = "Starting"
	PhaseStopping     = "Stopping"
	PhaseStopped      = "Stopped"
	PhaseRestarting   = "Restarting"
	PhaseDropping     = "Dropping"
	PhaseFailed       = "Failed"
)

// Server is the durable record of a flexible server.
type Server struct {
	Spec     model.Server `json:"spec"` // desired configuration as accepted by the API (never a password)
	Phase    string       `json:"phase"`
	HostPort int          `json:"host_port,omitempty"`
	// Instances are the server's PostgreSQL instances (see Instance); NextInstance names the next one.
	Instances    []Instance `json:"instances,omitempty"`
	NextInstance int        `json:"next_instance,omitempty"`
	HA           HA         `json:"ha,omitempty"`
	// Replication is set while the server is a read replica; Promotion records its last promotion.
	Replication *Replication `json:"replication,omitempty"`
	Promotion   *Promotion   `json:"promotion,omitempty"`
	// StaleSlots are slots of replicas deleted while the server was down, dropped when it next starts.
	StaleSlots []string `json:"stale_slots,omitempty"`
	// PartnerPhase is the phase to show again when the operation holding the server as a partner ends.
	PartnerPhase string     `json:"partner_phase,omitempty"`
	ActiveOp     string     `json:"active_op,omitempty"` // operation holding the server; others get 409
	StoppedAt    *time.Time `json:"stopped_at,omitempty"`
	// ArchiveID names the server's archive (its backups; store.Archive). Restore is set on a server created
	// from another's backups, while and after it is restored.
	ArchiveID string   `json:"archive_id,omitempty"`
	Restore   *Restore `json:"restore,omitempty"`
	// ReadOnly is set by the storage guard when the disk reached 95% without auto-grow.
	ReadOnly  bool      `json:"read_only,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// FirewallRule is the durable record of a firewall rule.
type FirewallRule struct {
	Rule   model.FirewallRule `json:"rule"`
	Server string             `json:"server"`
}

// Configuration is a user override of a server parameter. Parameters without a record have their default.
type Configuration struct {
	Server string `json:"server"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	// Pending is true while a static value is stored but not yet active (the server has not restarted).
	Pending bool `json:"pending,omitempty"`
}

// Database is the durable record of a database.
type Database struct {
	Database model.Database `json:"database"`
	Server   string         `json:"server"`
	Ready    bool           `json:"ready"`
}

// Operation is an asynchronous operation and how far it got. After a crash it resumes by re-running the step
// named in Step (of the rollback steps when RollingBack), so every step is idempotent. The name, not a
// position, is kept: a build whose step list for the kind changed still finds the step, or says it cannot.
type Operation struct {
	model.Operation
	Server string `json:"server,omitempty"` // server whose busy slot the operation holds
	// Partners are other servers the operation holds (HoldPartner), released with Server.
	Partners    []string        `json:"partners,omitempty"`
	RollingBack bool            `json:"rolling_back,omitempty"`
	Payload     json.RawMessage `json:"payload,omitempty"` // kind-specific input, e.g. a password verifier
}
