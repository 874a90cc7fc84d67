package postgres

// BaseBackup is what BaseBackupCommand copies: the source server and the physical slot it keeps for the
// new standby (EnsurePhysicalSlot first).
type BaseBackup struct {
	Source Peer
	Slot   string
}

// baseBackupApplicationName shows the copy in the source's pg_stat_replication (state backup).
const baseBackupApplicationName = "flexpg_basebackup"

// BaseBackupCommand returns the argv (see commands.go for how it runs) that fills an empty volume with a
// copy of the source's data directory ready to start as its standby:
//   - it refuses a volume whose data directory exists and is not empty (ExitDataExists), as the entrypoint
//     does: a spare volume the image prepared from its template is not empty either;
//   - it copies with pg_basebackup as ReplicationRole over TLS into a staging directory beside the data
//     directory, streaming WAL through the slot while it copies (-X stream -S), so the copy is consistent
//     and the slot keeps the WAL the standby needs next; --checkpoint=fast starts it at once; no -R, since
//     the cloud renders the standby's settings itself (StandbySettings);
//   - it writes StandbySignalFile and renames the staging directory into place, so a failure half way never
//     leaves something that looks like a data directory.
//
// Exit codes: ExitOK, ExitDataExists, ExitSourceUnavailable (the source did not answer, before or during the
// copy), ExitFailed (pg_basebackup failed although the source answers, e.g. a missing slot).
func BaseBackupCommand(b BaseBackup) ([]string, error) {
	if err := checkSlotName(b.Slot); err != nil {
		return nil, err
	}
	conninfo, err := replicationConninfo(b.Source, baseBackupApplicationName, "")
	if err != nil {
		return nil, err
	}
	return shellCommand("flexpg-basebackup", scriptPrelude+baseBackupScript, conninfo, b.Slot), nil
}

// baseBackupScript takes the conninfo as $1 and the slot as $2.
const baseBackupScript = `
SOURCE=$1
SLOT=$2
STAGING="$VOLUME/.data-basebackup"

if [ -f "$DATA/PG_VERSION" ] || { [ -d "$DATA" ] && [ -n "$(ls -A "$DATA")" ]; }; then
	say "$DATA is not empty; refusing to overwrite it"
	exit "$EXIT_DATA_EXISTS"
fi
if ! as_postgres pg_isready -d "$SOURCE" >&2; then
	say "the source server does not answer"
	exit "$EXIT_UNAVAILABLE"
fi
rm -rf "$STAGING"
if ! as_postgres pg_basebackup -d "$SOURCE" -D "$STAGING" -X stream -S "$SLOT" --checkpoint=fast --no-manifest -w; then
	rm -rf "$STAGING"
	if ! as_postgres pg_isready -d "$SOURCE" >&2; then
		say "the source server went away during the copy"
		exit "$EXIT_UNAVAILABLE"
	fi
	say "pg_basebackup failed"
	exit "$EXIT_FAILED"
fi
as_postgres touch "$STAGING/$SIGNAL"
if [ -d "$DATA" ]; then
	rmdir "$DATA"
fi
mv "$STAGING" "$DATA"
sync "$VOLUME"
`
