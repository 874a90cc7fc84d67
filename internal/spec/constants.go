package spec

// Backup retention in days (service limits).
const (
	MinBackupRetentionDays     = 7
	MaxBackupRetentionDays     = 35
	DefaultBackupRetentionDays = 7
)

// High-availability modes of the high_availability block. Without the block HA is disabled.
const (
	HAModeZoneRedundant = "ZoneRedundant"
	HAModeSameZone      = "SameZone"
)

// HAModes returns the values of high_availability.mode.
func HAModes() []string { return []string{HAModeZoneRedundant, HAModeSameZone} }

// Desired server states (the state attribute). The cloud reports more observed states (Updating, Starting,
// ...), but a user can only ask for these two.
const (
	StateReady   = "Ready"
	StateStopped = "Stopped"
)

// DesiredStates returns the values of state.
func DesiredStates() []string { return []string{StateReady, StateStopped} }

// Create modes. Replicas are a resource of their own (flexpg_read_replica), so Replica is not a create mode.
const (
	CreateModeDefault            = "Default"
	CreateModePointInTimeRestore = "PointInTimeRestore"
)

// CreateModes returns the values of create_mode.
func CreateModes() []string {
	return []string{CreateModeDefault, CreateModePointInTimeRestore, CreateModeGeoRestore}
}

// DNSSuffix is the default DNS suffix of server names (configurable in the cloud).
const DNSSuffix = "postgres.flexpg.internal"

// ServerFQDN is a server's host name under the default suffix.
func ServerFQDN(name string) string { return name + "." + DNSSuffix }

// ReservedLoginPrefix starts the names PostgreSQL reserves for its own roles.
const ReservedLoginPrefix = "pg_"

// ReservedAdminLogins returns the administrator logins the service refuses (compared case-insensitively).
// The first seven are the service's list. "azuresu" (the internal superuser) and "replication" (the role
// used for HA and replica streaming) are reserved as well because the simulated cloud creates roles with
// those names itself, as the real service does.
func ReservedAdminLogins() []string {
	return []string{
		"azure_superuser", "azure_pg_admin", "admin", "administrator", "root", "guest", "public",
		"azuresu", "replication",
	}
}

// ReservedDatabaseNames returns database names users may not create: the service's own databases and the
// PostgreSQL templates.
func ReservedDatabaseNames() []string {
	return []string{"azure_maintenance", "azure_sys", "template0", "template1"}
}
