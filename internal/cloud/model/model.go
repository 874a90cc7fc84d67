// Package model holds the JSON documents of the cloud's HTTP API. The API handlers and the typed client both
// use these types, so the wire format is defined once. Field names follow the Terraform attribute names.
package model

import "time"

// APIVersion is the path prefix of every API route.
const APIVersion = "/v1"

// Health is returned by GET /v1/health (no token required) so callers can find out whether a cloud answers.
type Health struct {
	CloudID string `json:"cloud_id"`
	Version string `json:"version"`
	// Build identifies the binary the cloud runs (its version plus a hash of the executable; see package
	// buildid). A provider compares it with its own to find a local cloud started from another build. Clouds
	// from before this field answer without it.
	Build string `json:"build,omitempty"`
}

// HighAvailability is the server's HA request.
type HighAvailability struct {
	Mode                    string `json:"mode"`
	StandbyAvailabilityZone string `json:"standby_availability_zone,omitempty"`
}

// MaintenanceWindow is a custom weekly maintenance window (UTC).
type MaintenanceWindow struct {
	DayOfWeek   int `json:"day_of_week"`
	StartHour   int `json:"start_hour"`
	StartMinute int `json:"start_minute"`
}

// Server is a flexible server. In a PUT body the computed fields are ignored; AdministratorPassword is
// accepted only in requests and never returned.
type Server struct {
	ID                          string             `json:"id,omitempty"`
	Name                        string             `json:"name"`
	Location                    string             `json:"location"`
	Zone                        string             `json:"zone,omitempty"`
	Version                     string             `json:"version"`
	SKUName                     string             `json:"sku_name"`
	StorageMB                   int64              `json:"storage_mb,omitempty"`
	StorageTier                 string             `json:"storage_tier,omitempty"`
	AutoGrowEnabled             bool               `json:"auto_grow_enabled"`
	AdministratorLogin          string             `json:"administrator_login"`
	AdministratorPassword       string             `json:"administrator_password,omitempty"`
	BackupRetentionDays         int                `json:"backup_retention_days,omitempty"`
	GeoRedundantBackupEnabled   bool               `json:"geo_redundant_backup_enabled"`
	HighAvailability            *HighAvailability  `json:"high_availability,omitempty"`
	MaintenanceWindow           *MaintenanceWindow `json:"maintenance_window,omitempty"`
	DelegatedSubnetID           string             `json:"delegated_subnet_id,omitempty"`
	PrivateDNSZoneID            string             `json:"private_dns_zone_id,omitempty"`
	PublicNetworkAccessEnabled  *bool              `json:"public_network_access_enabled,omitempty"`
	CreateMode                  string             `json:"create_mode,omitempty"`
	SourceServerID              string             `json:"source_server_id,omitempty"`
	PointInTimeRestoreTimeInUTC string             `json:"point_in_time_restore_time_in_utc,omitempty"`
	State                       string             `json:"state,omitempty"` // desired (Ready|Stopped) in requests, observed in responses
	Tags                        map[string]string  `json:"tags,omitempty"`

	// Read replicas: flexpg_read_replica sends create_mode "Replica" with source_server_id (the primary's
	// ID). Setting replication_role to Primary or None on a replica promotes it, as promote_option says.
	ReplicationRole string `json:"replication_role,omitempty"`
	PromoteOption   string `json:"promote_option,omitempty"`

	// Computed by the cloud.
	FQDN                string `json:"fqdn,omitempty"`
	Host                string `json:"host,omitempty"`
	Port                int    `json:"port,omitempty"`
	HAState             string `json:"ha_state,omitempty"`
	StandbyZone         string `json:"standby_zone,omitempty"`
	EarliestRestoreTime string `json:"earliest_restore_time,omitempty"`
	ReplicaCapacity     int    `json:"replica_capacity,omitempty"`
	ProvisioningState   string `json:"provisioning_state,omitempty"` // Provisioning, Succeeded, Updating, Deleting, Failed
	// ReplicationState is set while the server is a read replica (or a promotion of it runs); ReplicaOf is
	// then the ID of the server it streams from. Replicas are the IDs of the servers streaming from it.
	ReplicationState string     `json:"replication_state,omitempty"`
	ReplicaOf        string     `json:"replica_of,omitempty"`
	Replicas         []string   `json:"replicas,omitempty"`
	LastPromotion    *Promotion `json:"last_promotion,omitempty"`
}

// Promotion is the outcome of a replica's last promotion.
type Promotion struct {
	ReplicationRole string    `json:"replication_role"` // Primary or None
	PromoteOption   string    `json:"promote_option"`   // planned or forced
	FromServerID    string    `json:"from_server_id"`   // the primary it was a replica of
	At              time.Time `json:"at"`
	// LagBytes is how far the replica's replay was behind its primary when it was promoted: for a forced
	// promotion the most it may have lost; 0 for a planned one, which waits for it.
	LagBytes int64 `json:"lag_bytes"`
}

// Metrics is returned by GET /v1/flexibleServers/{name}/metrics: the server's replication metrics, read from
// PostgreSQL when asked. A metric that does not apply to the server (or cannot be read now) is absent.
type Metrics struct {
	// MaxPhysicalReplicationLagBytes is, on a primary with read replicas, the bytes between its current WAL
	// position and the most lagging replica's slot (physical_replication_delay_in_bytes).
	MaxPhysicalReplicationLagBytes *int64 `json:"max_physical_replication_lag_bytes,omitempty"`
	// ReadReplicaLagSeconds is, on a replica, the seconds since the last transaction it replayed was
	// committed on its primary (physical_replication_delay_in_seconds); it grows while the primary is idle.
	ReadReplicaLagSeconds *float64 `json:"read_replica_lag_seconds,omitempty"`
	// ReplicationState is the replica's replication_state (absent on a primary).
	ReplicationState string `json:"replication_state,omitempty"`
}

// FirewallRule allows an IPv4 range to reach a public-access server.
type FirewallRule struct {
	ID             string `json:"id,omitempty"`
	Name           string `json:"name"`
	ServerName     string `json:"server_name,omitempty"`
	StartIPAddress string `json:"start_ip_address"`
	EndIPAddress   string `json:"end_ip_address"`
}

// Configuration is one server parameter, in the shape of the service's configuration resource.
type Configuration struct {
	ID                     string `json:"id,omitempty"`
	Name                   string `json:"name"`
	Value                  string `json:"value"`
	DefaultValue           string `json:"default_value,omitempty"`
	Source                 string `json:"source,omitempty"` // system-default | user-override
	DataType               string `json:"data_type,omitempty"`
	AllowedValues          string `json:"allowed_values,omitempty"`
	Unit                   string `json:"unit,omitempty"`
	Description            string `json:"description,omitempty"`
	IsDynamicConfig        bool   `json:"is_dynamic_config"`
	IsReadOnly             bool   `json:"is_read_only"`
	IsConfigPendingRestart bool   `json:"is_config_pending_restart"`
}

// Database is a database on a server.
type Database struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name"`
	ServerName string `json:"server_name,omitempty"`
	Charset    string `json:"charset,omitempty"`
	Collation  string `json:"collation,omitempty"`
}

// CACertificate is the cloud CA that signs every server certificate.
type CACertificate struct {
	CertificatePEM string `json:"certificate_pem"`
}

// Operation statuses.
const (
	OperationRunning   = "Running"
	OperationSucceeded = "Succeeded"
	OperationFailed    = "Failed"
)

// Operation is an asynchronous mutation. Every 202 response carries one; clients poll GET /v1/operations/{id}.
type Operation struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`        // e.g. server.create, server.scale, firewall.put
	ResourceID string     `json:"resource_id"` // the resource the operation acts on
	Status     string     `json:"status"`
	Step       string     `json:"step,omitempty"` // name of the step in progress, for progress output
	Error      *Error     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Steps lists every step the operation ran, in order, with its timing: where the time of a slow
	// operation went. A step interrupted by a restart of the cloud appears twice (interrupted, then re-run).
	Steps []OperationStep `json:"steps,omitempty"`
}

// OperationStep is one step of an operation and how long it took.
type OperationStep struct {
	Name        string     `json:"name"`
	RollingBack bool       `json:"rolling_back,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	DurationMS  float64    `json:"duration_ms"` // set when the step ends
	// Outcome is "ok", "failed" or "interrupted" (the cloud stopped while the step ran); empty while it runs.
	Outcome string `json:"outcome,omitempty"`
}

// Step outcomes.
const (
	StepOK          = "ok"
	StepFailed      = "failed"
	StepInterrupted = "interrupted"
)

// Error is the body of every 4xx/5xx response (wrapped as {"error": ...}) and of a failed operation.
type Error struct {
	Code    string        `json:"code"`            // e.g. InvalidParameter, NotFound, Conflict, ServerBusy
	Message string        `json:"message"`         // says the rule and the fix
	Field   string        `json:"field,omitempty"` // attribute path, e.g. storage_mb or maintenance_window.start_hour
	Details []FieldDetail `json:"details,omitempty"`
}

// FieldDetail is one invalid field of a request that broke several rules.
type FieldDetail struct {
	Field   string `json:"field"`
	Rule    string `json:"rule,omitempty"` // the broken rule, "<field>.<kind>" (e.g. location.immutable)
	Message string `json:"message"`
}

// ErrorResponse is the envelope of an error body.
type ErrorResponse struct {
	Error Error `json:"error"`
}

// Error codes.
const (
	CodeInvalidParameter = "InvalidParameter"
	CodeNotFound         = "NotFound"
	CodeAlreadyExists    = "AlreadyExists"
	CodeServerBusy       = "ServerBusy"   // another operation is running on the server: 409
	CodeResourceBusy     = "ResourceBusy" // another operation is changing the (network) resource: 409
	CodeConflict         = "Conflict"     // the request conflicts with the resource's state: 409
	CodeUnauthorized     = "Unauthorized"
	CodeInternal         = "InternalError"
)

// EngineObject is a container, volume or network on the machine's engine.
type EngineObject struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Resource string `json:"resource,omitempty"`
	CloudID  string `json:"cloud_id,omitempty"`
	Reason   string `json:"reason,omitempty"` // why it is listed as unowned
}

// Status is returned by GET /v1/status: the cloud's own view of what it owns on the machine.
type Status struct {
	CloudID           string         `json:"cloud_id"`
	Version           string         `json:"version"`
	Build             string         `json:"build,omitempty"`
	Servers           int            `json:"servers"`
	RunningOperations int            `json:"running_operations"`
	Owned             []EngineObject `json:"owned"`
	Unowned           []EngineObject `json:"unowned"` // labelled for this cloud but belonging to no resource
	// Spares are the data volumes the cloud keeps filled for the next creates (and a fill in progress).
	Spares      []EngineObject `json:"spares,omitempty"`
	OtherClouds []EngineObject `json:"other_clouds,omitempty"`
}

// ClockAdvance is the body of POST /v1/clock: how far to move the cloud's clock forward (a Go duration).
type ClockAdvance struct {
	Advance string `json:"advance"`
}

// Clock is the cloud's current time.
type Clock struct {
	Now time.Time `json:"now"`
}

// Failover is the body of POST /v1/flexibleServers/{name}/failover: an on-demand failover of a server with
// high availability, planned (catch up, then switch; loses nothing) or forced (stop the primary at once).
type Failover struct {
	Mode string `json:"mode"`
}

// Failover modes of the API.
const (
	FailoverPlanned = "planned"
	FailoverForced  = "forced"
)

// Fault is the body of POST /v1/faults: a fault injected into the cloud's own containers, for drills. Action
// is kill, pause, resume, isolate or heal of one instance of Server (Instance primary, the default, or
// standby), or zone-down / zone-up of Zone in Location.
type Fault struct {
	Action   string `json:"action"`
	Server   string `json:"server,omitempty"`
	Instance string `json:"instance,omitempty"`
	Location string `json:"location,omitempty"`
	Zone     string `json:"zone,omitempty"`
}

// FaultResult says what a fault did: the containers it acted on.
type FaultResult struct {
	Action     string   `json:"action"`
	Containers []string `json:"containers"`
}

// Fault actions.
const (
	FaultKill     = "kill"
	FaultPause    = "pause"
	FaultResume   = "resume"
	FaultIsolate  = "isolate"
	FaultHeal     = "heal"
	FaultZoneDown = "zone-down"
	FaultZoneUp   = "zone-up"
)

// VirtualEndpoint is a pair of host names over a primary and its replicas (seed 004): the writer always
// reaches the current primary; the reader reaches the one server it targets. It is managed under the server
// it was created on, its ID keeps that path after a promotion, and SourceServerID and ReplicaServerID read
// back as they were set, so the configuration that made it still plans empty after a promotion; the
// servers it reaches now are WriterServerID and ReaderServerID.
type VirtualEndpoint struct {
	ID              string `json:"id,omitempty"`
	Name            string `json:"name"`
	SourceServerID  string `json:"source_server_id,omitempty"`  // the primary it was created on (from the path)
	ReplicaServerID string `json:"replica_server_id,omitempty"` // the reader's target as set; may be the primary
	Type            string `json:"type"`                        // spec.VirtualEndpointTypes

	// Computed by the cloud.
	WriterServerID string `json:"writer_server_id,omitempty"`
	ReaderServerID string `json:"reader_server_id,omitempty"`
	WriterFQDN     string `json:"writer_fqdn,omitempty"`
	ReaderFQDN     string `json:"reader_fqdn,omitempty"`
	// Host endpoints (127.0.0.1) for public access; empty for private servers, which are reached by FQDN
	// from inside their VNet.
	WriterHost string `json:"writer_host,omitempty"`
	WriterPort int    `json:"writer_port,omitempty"`
	ReaderHost string `json:"reader_host,omitempty"`
	ReaderPort int    `json:"reader_port,omitempty"`
	// ProvisioningState is Succeeded once both names answer.
	ProvisioningState string `json:"provisioning_state,omitempty"`
}
