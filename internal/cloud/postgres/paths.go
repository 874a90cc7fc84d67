// Package postgres holds everything the cloud knows about operating one PostgreSQL instance: rendering
// postgresql.conf, pg_hba.conf and pg_ident.conf, hashing passwords into SCRAM verifiers, the management
// queries run over pgx, and what a synchronous physical standby needs (the replication role, role settings,
// slots, status, promotion, and the base backup and rewind commands the server image runs). It knows
// nothing about the controller, the store or Docker, so the PostgreSQL knowledge can be tested on its own
// and reused by every operation.
package postgres

import "github.com/flexpg/terraform-provider-flexpg/internal/spec"

// Paths inside a server container. The image's entrypoint starts postgres with
// -c config_file=/etc/flexpg/postgresql.conf; the cloud copies the files below into ConfigDir before start.
const (
	ConfigDir     = "/etc/flexpg"
	ConfigFile    = ConfigDir + "/postgresql.conf"
	HBAFile       = ConfigDir + "/pg_hba.conf"
	IdentFile     = ConfigDir + "/pg_ident.conf"
	CertFile      = ConfigDir + "/server.crt"
	KeyFile       = ConfigDir + "/server.key"
	CAFile        = ConfigDir + "/ca.crt"
	DataVolume    = "/var/lib/flexpg" // where the data volume is mounted
	DataDirectory = DataVolume + "/data"
	SocketDir     = "/run/postgresql"
	Port          = spec.ServerPort // the catalog's read-only port
)

// Files of a physical standby and of the commands that make one (basebackup.go, rewind.go).
const (
	// ReplicationCertFile and ReplicationKeyFile are the client certificate (CN=ReplicationRole, from the
	// cloud CA) and its key with which a standby's WAL receiver, pg_basebackup and pg_rewind log in to the
	// primary. libpq refuses a key that group or others may read, so the key must be mode 0600 and owned by
	// the postgres OS user; the commands set both before they use it, a server container gets them from the
	// copy (the entrypoint makes ConfigDir postgres's but leaves modes alone).
	ReplicationCertFile = ConfigDir + "/replication.crt"
	ReplicationKeyFile  = ConfigDir + "/replication.key"
	// StandbySignalFile, present in the data directory when PostgreSQL starts, makes it a standby that
	// streams from primary_conninfo; promotion removes it. Its content does not matter: it is empty.
	StandbySignalFile = DataDirectory + "/standby.signal"
)

// PrepareEnv makes the image's entrypoint only fill an empty data volume from the image's template and
// exit, instead of starting PostgreSQL: the cloud keeps such a volume ready, so a create does not wait for
// the copy.
const PrepareEnv = "FLEXPG_MODE=prepare"

// Role names the service reserves.
const (
	// ManagementRole is the cloud's internal superuser. It logs in only with a client certificate from the
	// cloud's CA, from the management address, or through the local socket as the image's postgres OS user.
	ManagementRole = "azuresu"
	// AdminGroupRole is the group every administrator login belongs to, as on the real service.
	AdminGroupRole = "azure_pg_admin"
	// ManagementDatabase is the database management connections use.
	ManagementDatabase = "postgres"
)

// The image's postgres OS user has fixed IDs (the image builder creates it before installing PostgreSQL), so
// the cloud can copy configuration into a running container with the right owner: a reload must be able to
// read pg_hba.conf and the key.
const (
	OSUserUID = 999
	OSUserGID = 999
)
