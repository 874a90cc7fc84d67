package spec

// Limits used by many integer parameters.
const (
	maxInt32   = 2147483647
	maxPages   = 1073741823
	maxKB      = 2097151
	maxSlots   = 262143
	unit8KB    = "8KB"
	unitKB     = "KB"
	unitMB     = "megabytes"
	unitMillis = "milliseconds"
	unitSecs   = "seconds"
)

// parameterCatalog is the service's parameter catalog (PG16 documentation values, reference/server-parameters.md
// §2–§3). It is a subset of the real service's catalog: the parameters people actually tune, the ones the
// cloud sets itself (read-only) and the ones replicas and HA depend on.
//
// It is the only list of parameters: the cloud renders postgresql.conf from it (every entry that is not a
// service knob, read-only ones with their fixed value), so a read-only entry's Default is what the server
// really runs. What it leaves out are the file layout settings (data_directory, hba_file, ssl_cert_file, ...):
// they are facts of the container image, owned by cloud/postgres, and the paths the service shows
// (/datadrive/certs/...) would be false here; users can read or change neither.
func parameterCatalog() []Parameter {
	return []Parameter{
		// Connections and TLS.
		service(boolean("require_secure_transport", "on", dynamic,
			"Whether client connections must use TLS; the cloud enforces it in pg_hba.conf and at the host endpoint.")),
		enum("ssl_min_protocol_version", "TLSv1.2", tlsVersions, dynamic, "Minimum TLS protocol version accepted from clients."),
		enum("ssl_max_protocol_version", "", tlsVersions, dynamic, "Maximum TLS protocol version accepted from clients; empty means no maximum."),
		derived(integer("max_connections", "", MinMaxConnections, MaxMaxConnections, "", static,
			"Maximum number of concurrent connections; the default follows the SKU's memory.")),
		enum("password_encryption", "scram-sha-256", []string{"md5", "scram-sha-256"}, dynamic,
			"Algorithm used to encrypt passwords set with CREATE ROLE or ALTER ROLE."),
		readOnly(boolean("ssl", "on", dynamic, "TLS is always enabled on the server.")),
		readOnly(str("listen_addresses", "*", "", static, "Addresses the server listens on; managed by the service.")),
		readOnly(integer("port", itoa(ServerPort), ServerPort, ServerPort, "", static,
			"TCP port of the server; managed by the service.")),

		// Memory.
		derived(integer("shared_buffers", "", 16, maxPages, unit8KB, static,
			"Memory used for shared buffers; the default is 12.5 % to 25 % of the server's memory.")),
		derived(integer("effective_cache_size", "", 1, maxInt32, unit8KB, dynamic,
			"Planner's assumption about the size of the disk cache; the default is memory minus shared_buffers.")),
		derived(integer("maintenance_work_mem", "", 1024, maxKB, unitKB, dynamic,
			"Memory for maintenance operations such as VACUUM and CREATE INDEX; the default follows the memory.")),
		integer("work_mem", "4096", 4096, maxKB, unitKB, dynamic, "Memory for each sort or hash operation before spilling to disk."),

		// Write-ahead log and checkpoints.
		derived(integer("wal_buffers", "", -1, maxSlots, unit8KB, static,
			"Shared memory for WAL not yet written to disk; the default follows the vCores.")),
		derived(integer("max_wal_size", "", 32, 65536, unitMB, dynamic,
			"WAL size that triggers a checkpoint; the default follows the storage size.")),
		integer("min_wal_size", "80", 32, maxKB, unitMB, dynamic, "WAL size kept for reuse below which old WAL files are recycled."),
		integer("checkpoint_timeout", "600", 30, 86400, unitSecs, dynamic, "Maximum time between automatic checkpoints."),
		enum("wal_level", "replica", []string{"replica", "logical"}, static,
			"How much information is written to the WAL; logical is needed for logical replication."),
		integer("max_wal_senders", "10", 5, 100, "", static, "Maximum number of WAL sender processes (HA, replicas, logical slots)."),
		integer("max_replication_slots", "10", 2, maxSlots, "", static, "Maximum number of replication slots."),
		boolean("track_commit_timestamp", "off", static, "Whether transaction commit times are recorded."),
		readOnly(boolean("fsync", "on", dynamic, "Durable writes are always on; managed by the service.")),
		readOnly(boolean("full_page_writes", "on", dynamic, "Full page writes are always on; managed by the service.")),
		readOnly(enum("synchronous_commit", "on", []string{"on"}, dynamic, "Commit durability level; managed by the service (HA relies on it).")),
		// On, unlike the service's documented off: pg_rewind needs it to rejoin an old primary after a failover.
		readOnly(boolean("wal_log_hints", "on", static,
			"Whether hint-bit changes are WAL-logged; on, so an old primary can rejoin after a failover; managed by the service.")),
		// On until the HA controller takes over crash handling (a supervisor that fences and fails over wants
		// it off); it is read-only so that only the cloud decides.
		readOnly(boolean("restart_after_crash", "on", dynamic,
			"Whether PostgreSQL reinitialises itself after a backend crash; managed by the service.")),

		// Resources and locks.
		integer("max_worker_processes", "8", 0, maxSlots, "", static, "Maximum number of background worker processes."),
		integer("max_prepared_transactions", "0", 0, maxSlots, "", static, "Maximum number of transactions in the prepared state."),
		integer("max_locks_per_transaction", "64", 10, 8388608, "", static, "Average number of object locks per transaction."),
		boolean("autovacuum", "on", dynamic, "Whether the autovacuum launcher runs."),
		numeric("random_page_cost", "2", 0, 1000000, dynamic, "Planner's estimate of the cost of a non-sequentially fetched disk page."),

		// Timeouts.
		integer("statement_timeout", "0", 0, maxInt32, unitMillis, dynamic, "Maximum duration of any statement; 0 disables it."),
		integer("lock_timeout", "0", 0, maxInt32, unitMillis, dynamic, "Maximum wait for a lock; 0 disables it."),
		integer("idle_in_transaction_session_timeout", "0", 0, maxInt32, unitMillis, dynamic,
			"Terminates sessions idle inside a transaction for longer than this; 0 disables it."),
		integer("idle_session_timeout", "0", 0, maxInt32, unitMillis, dynamic,
			"Terminates sessions idle outside a transaction for longer than this; 0 disables it."),

		// Logging.
		integer("log_min_duration_statement", "-1", -1, maxInt32, unitMillis, dynamic,
			"Logs statements running at least this long; -1 disables it, 0 logs all."),
		enum("log_statement", "none", []string{"none", "ddl", "mod", "all"}, dynamic, "Which SQL statements are logged."),
		boolean("log_connections", "on", dynamic, "Logs each successful connection."),
		boolean("log_disconnections", "on", dynamic, "Logs the end of each session."),
		boolean("log_checkpoints", "on", dynamic, "Logs each checkpoint."),
		str("log_line_prefix", "%t-%c-", `[^']*`, dynamic, "printf-style prefix of each log line."),
		readOnly(str("log_timezone", "UTC", "", dynamic, "Time zone of log timestamps; managed by the service.")),
		// The cloud collects the container's stderr (the server log of `cloud logs`), so there is no collector.
		readOnly(boolean("logging_collector", "off", static, "Whether a collector process writes log files; managed by the service.")),
		readOnly(enum("log_destination", "stderr", []string{"stderr"}, dynamic,
			"Where the server log goes; the service collects stderr.")),
		readOnly(str("lc_messages", "en_US.utf8", "", dynamic, "Language of server messages; managed by the service.")),

		// Client defaults.
		str("TimeZone", "UTC", `[A-Za-z0-9/+_-]+`, dynamic, "Time zone for displaying and interpreting time stamps."),
		str("DateStyle", "ISO, MDY",
			`(?i)(ISO|Postgres|SQL|German)(, ?(DMY|MDY|YMD|Euro|European|US|NonEuro|NonEuropean))?`, dynamic,
			"Display format for date and time values."),
		boolean(ParamDefaultTransactionReadOnly, "off", dynamic,
			"Whether new transactions are read-only; the service turns it on while the storage is full."),
		enum("default_transaction_isolation", "read committed",
			[]string{"serializable", "repeatable read", "read committed", "read uncommitted"}, dynamic,
			"Isolation level of each new transaction."),
		str("search_path", `"$user", public`, `[A-Za-z0-9_$", .-]*`, dynamic, "Schema search order for unqualified names."),

		// Libraries, extensions and the pooler.
		set("shared_preload_libraries", "pg_stat_statements", preloadLibraries, static,
			"Libraries loaded at server start; only libraries shipped with the server image are allowed."),
		service(set("azure.extensions", "", allowedExtensions, dynamic,
			"Extensions users may create with CREATE EXTENSION; any other extension is refused.")),
		service(trueFalse(boolean("pgbouncer.enabled", "false", dynamic, "Whether the built-in PgBouncer runs (port 6432)."))),
	}
}

var tlsVersions = []string{"TLSv1.2", "TLSv1.3"}

// preloadLibraries are the preloadable libraries of the service's list that Debian's core PostgreSQL
// package ships; the others (pg_cron, pgaudit, timescaledb, ...) are not in the server image. A Docker test
// (PreloadLibraries) checks that every image has each of them in its $libdir.
var preloadLibraries = []string{"auto_explain", "pg_prewarm", "pg_stat_statements"}

// allowedExtensions are the extensions of the service's allow-list that ship in core PostgreSQL contrib,
// which is all the server image has. A Docker test (AllowedExtensions) checks every image for their control files.
var allowedExtensions = []string{
	"amcheck", "bloom", "btree_gin", "btree_gist", "citext", "cube", "dblink", "dict_int", "dict_xsyn",
	"earthdistance", "fuzzystrmatch", "hstore", "intagg", "intarray", "isn", "lo", "ltree", "pageinspect",
	"pg_buffercache", "pg_freespacemap", "pg_prewarm", "pg_stat_statements", "pg_trgm", "pg_visibility",
	"pgcrypto", "pgrowlocks", "pgstattuple", "plpgsql", "postgres_fdw", "sslinfo", "tablefunc",
	"tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp",
}

// Readability helpers for the catalog.
const (
	dynamic = true
	static  = false
)

// boolean is an on/off parameter: Allowed holds its canonical spellings, true first.
func boolean(name, def string, dyn bool, desc string) Parameter {
	return Parameter{Name: name, Type: ParameterTypeBoolean, Default: def, Allowed: []string{"on", "off"}, Dynamic: dyn,
		Description: desc}
}

func integer(name, def string, lo, hi int64, unit string, dyn bool, desc string) Parameter {
	return Parameter{Name: name, Type: ParameterTypeInteger, Default: def, Min: lo, Max: hi, Unit: unit,
		Dynamic: dyn, Description: desc}
}

func numeric(name, def string, lo, hi int64, dyn bool, desc string) Parameter {
	return Parameter{Name: name, Type: ParameterTypeNumeric, Default: def, Min: lo, Max: hi, Dynamic: dyn, Description: desc}
}

func enum(name, def string, allowed []string, dyn bool, desc string) Parameter {
	return Parameter{Name: name, Type: ParameterTypeEnumeration, Default: def, Allowed: allowed, Dynamic: dyn,
		Description: desc}
}

func set(name, def string, allowed []string, dyn bool, desc string) Parameter {
	return Parameter{Name: name, Type: ParameterTypeSet, Default: def, Allowed: allowed, Dynamic: dyn, Description: desc}
}

func str(name, def, pattern string, dyn bool, desc string) Parameter {
	return Parameter{Name: name, Type: ParameterTypeString, Default: def, Pattern: pattern, Dynamic: dyn, Description: desc}
}

func readOnly(p Parameter) Parameter { p.ReadOnly = true; return p }
func derived(p Parameter) Parameter  { p.Derived = true; return p }
func service(p Parameter) Parameter  { p.Service = true; return p }

// trueFalse makes a boolean spelt true/false, as the service shows its PgBouncer switch.
func trueFalse(p Parameter) Parameter { p.Allowed = []string{"true", "false"}; return p }
