package postgres

// Rewind is what RewindCommand rewinds to: the server the volume's instance is to follow (the new primary).
type Rewind struct {
	Source Peer
}

// rewindApplicationName shows pg_rewind's session in the source's pg_stat_activity.
const rewindApplicationName = "flexpg_rewind"

// RewindCommand returns the argv (see commands.go for how it runs) that turns the data directory of a former
// primary into a standby of the source with pg_rewind, which copies only what changed since the timelines
// forked instead of the whole data directory. Steps:
//   - no data directory, or a pg_control copy left by an attempt that never finished: ExitRebuild;
//   - the source must answer (ExitSourceUnavailable otherwise, the volume untouched), and is checkpointed as
//     ReplicationRole (pg_checkpoint): before PostgreSQL 16, pg_rewind took the source's timeline from its
//     control file, which only the first checkpoint after a promotion updates, so right after a promotion
//     it could find "no rewind required" and leave the old primary on a timeline it diverged from (16 reads
//     the timeline properly; the checkpoint costs little there);
//   - pg_rewind needs a cleanly shut down target, which a crashed (SIGKILLed) primary is not: the script then
//     runs crash recovery in single-user mode with the instance's own configuration (ConfigFile), reading no
//     commands (stdin is /dev/null), which ends with a shutdown checkpoint, as Patroni does. pg_rewind (13+)
//     would run the same itself, but only --config-file (15+, passed too) makes it use ConfigFile: without
//     it, it uses the data directory's postgresql.conf, initdb's in this image, whose wal_log_hints=off is
//     then written into pg_control, and pg_rewind refuses the target for good (tested). Doing it first also
//     means the pg_control saved below is the one that matches the data directory pg_rewind starts from,
//     and a crash recovery that fails is told apart (ExitRebuild before anything is changed);
//   - pg_control is copied aside before pg_rewind and put back if pg_rewind fails, since a failed rewind can
//     leave it empty (CloudNativePG does the same); the failure is still ExitRebuild, because PostgreSQL's
//     documentation says a target whose rewind failed half way is likely unrecoverable, and a new base
//     backup always works;
//   - on success, StandbySignalFile. "No rewind required" (the target has nothing the source lacks, as
//     after a planned switchover) is a success too.
//
// pg_rewind connects as ReplicationRole to ManagementDatabase, where EnsureReplicationRole granted the
// functions it reads files with; the source's pg_hba must list this instance in ReplicationSources.
func RewindCommand(r Rewind) ([]string, error) {
	conninfo, err := replicationConninfo(r.Source, rewindApplicationName, ManagementDatabase)
	if err != nil {
		return nil, err
	}
	return shellCommand("flexpg-rewind", scriptPrelude+rewindScript, conninfo), nil
}

// rewindScript takes the source's conninfo as $1.
const rewindScript = `
SOURCE=$1
SAVED="$VOLUME/pg_control.before-rewind"

if [ ! -f "$DATA/PG_VERSION" ] || [ ! -s "$DATA/global/pg_control" ]; then
	say "no data directory to rewind"
	exit "$EXIT_REBUILD"
fi
if [ -e "$SAVED" ]; then
	say "an earlier rewind did not finish; the data directory may be half rewound"
	exit "$EXIT_REBUILD"
fi
if ! as_postgres pg_isready -d "$SOURCE" >&2; then
	say "the source server does not answer"
	exit "$EXIT_UNAVAILABLE"
fi
if ! as_postgres psql -X -q -w -d "$SOURCE" -c CHECKPOINT >&2; then
	say "could not checkpoint the source server"
	exit "$EXIT_FAILED"
fi

state=$(as_postgres env LC_ALL=C pg_controldata -D "$DATA" | sed -n 's/^Database cluster state: *//p')
case "$state" in
"shut down" | "shut down in recovery") ;;
*)
	say "target was not shut down cleanly ($state); running crash recovery in single-user mode"
	# The postmaster that wrote this lock file ran in another container and is gone.
	rm -f "$DATA/postmaster.pid"
	if ! as_postgres postgres --single -D "$DATA" -c config_file="$CONFIG_FILE" postgres </dev/null >/dev/null; then
		say "crash recovery failed"
		exit "$EXIT_REBUILD"
	fi
	;;
esac

as_postgres cp "$DATA/global/pg_control" "$SAVED"
if ! as_postgres pg_rewind --target-pgdata="$DATA" --source-server="$SOURCE" --config-file="$CONFIG_FILE"; then
	as_postgres cp "$SAVED" "$DATA/global/pg_control"
	rm -f "$SAVED"
	say "pg_rewind failed; take a new base backup"
	exit "$EXIT_REBUILD"
fi
rm -f "$SAVED"
as_postgres touch "$DATA/$SIGNAL"
sync "$VOLUME"
`
