// Package postgres holds everything the cloud knows about operating one PostgreSQL instance: rendering
// postgresql.conf, pg_hba.conf and pg_ident.conf, hashing passwords into SCRAM verifiers, and the management
// queries run over pgx. It knows nothing about the controller, the store or Docker, so the PostgreSQL
// knowledge can be tested on its own and reused by every operation.
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
