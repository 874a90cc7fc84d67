package images

import (
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
)

// prepareMode is the FLEXPG_MODE of postgres.PrepareEnv.
var prepareMode = strings.TrimPrefix(postgres.PrepareEnv, "FLEXPG_MODE=")

// Paths of the contract between the cloud and the image. The cloud mounts the server's volume at volumeDir,
// copies postgresql.conf, pg_hba.conf, server.crt, server.key and ca.crt into configDir before the first
// start, and expects PostgreSQL to run from dataDir with config_file=configDir/postgresql.conf.
const (
	entrypointPath = "/usr/local/bin/flexpg-entrypoint"
	volumeDir      = "/var/lib/flexpg"
	dataDir        = volumeDir + "/data"
	configDir      = "/etc/flexpg"
	// templateArchive holds the template data directory as one tar file. Unpacking one file is about twice
	// as fast as copying the directory's thousand small files out of the image layer (measured with the
	// fuse-overlayfs storage driver: 0.6-0.7 s against 1.2-1.5 s), and that copy is most of a create.
	templateArchive = "/usr/share/flexpg/template-data.tar"
	// templateStaging is where the build runs initdb before packing the result into templateArchive.
	templateStaging = "/var/tmp/flexpg-template-data"
	// superuser is the cloud's internal management role; it authenticates by client certificate only.
	superuser = "azuresu"
)

// entrypointScript is baked into every image at entrypointPath. It runs as root, prepares ownership, fills
// an empty volume from the template data directory made at build time (unpacking it is faster than initdb), and
// then execs PostgreSQL as user postgres so that PostgreSQL is PID 1 and receives the stop signal.
// With FLEXPG_MODE=exec it execs its arguments instead, so the image doubles as a client (psql, pg_basebackup).
// With FLEXPG_MODE=prepare it only fills the volume and exits: the cloud keeps such a volume ready, so a
// create does not wait for the copy.
var entrypointScript = `#!/bin/sh
# flexpg-entrypoint: starts PostgreSQL for the flexpg simulated cloud.
set -eu

if [ "${FLEXPG_MODE:-}" = exec ]; then
	exec "$@"
fi

VOLUME=` + volumeDir + `
DATA=` + dataDir + `
CONF=` + configDir + `
TEMPLATE=` + templateArchive + `

as_postgres() {
	setpriv --reuid=postgres --regid=postgres --init-groups "$@"
}

mkdir -p "$VOLUME" /run/postgresql "$CONF"
chown postgres:postgres "$VOLUME" /run/postgresql
chmod 2775 /run/postgresql
chown -R postgres:postgres "$CONF"
if [ -f "$CONF/server.key" ]; then
	chmod 600 "$CONF/server.key"
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
	if [ -d "$DATA" ] && [ -n "$(ls -A "$DATA")" ]; then
		echo "flexpg-entrypoint: $DATA is not empty but has no PG_VERSION; refusing to overwrite it" >&2
		exit 1
	fi
	# Build the data directory beside its final place and rename it in, so a crash half way through
	# never leaves a directory that looks initialised.
	STAGING="$VOLUME/.data-init"
	rm -rf "$STAGING"
	if [ -f "$TEMPLATE" ]; then
		as_postgres mkdir -m 700 "$STAGING"
		as_postgres tar -C "$STAGING" --no-same-owner -xpf "$TEMPLATE"
	else
		as_postgres initdb -D "$STAGING" -U ` + superuser + ` -E UTF8 --locale=en_US.UTF-8 --auth=reject --no-sync >/dev/null
	fi
	if [ -d "$DATA" ]; then
		rmdir "$DATA"
	fi
	mv "$STAGING" "$DATA"
fi
if [ "${FLEXPG_MODE:-}" = ` + prepareMode + ` ]; then
	exit 0
fi

# With PGDATA set, settings the configuration leaves out (ident_file) default to the data directory, where
# initdb put an empty pg_ident.conf.
export PGDATA="$DATA"
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -c config_file="$CONF/postgresql.conf" "$@"
`
