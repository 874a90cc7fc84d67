package postgres

import (
	"fmt"
	"strconv"
	"strings"
)

// FullBackupCommand is the argv, run inside a running primary's container as the postgres OS user, that
// takes the full backup name of the archive id: pg_basebackup through the local socket as ManagementRole
// (plain format, with the WAL the copy needs streamed alongside, so the backup restores by itself), into a
// hidden directory renamed into place once complete. A backup already in place (a crash of the cloud after
// the rename) is kept. It prints the backup's facts as key=value lines (ParseFullBackup).
func FullBackupCommand(id, name string) ([]string, error) {
	if err := checkArchiveID(id); err != nil {
		return nil, err
	}
	if err := checkSimpleName("backup name", name); err != nil {
		return nil, err
	}
	return shellCommand("flexpg-fullbackup", fullBackupScript, baseDir(id), name, SocketDir, ManagementRole), nil
}

const fullBackupScript = `set -eu
dir=$1
name=$2
mkdir -p "$dir"
if [ ! -f "$dir/$name/backup_label" ]; then
	rm -rf "$dir/.$name"
	pg_basebackup -h "$3" -U "$4" -d "dbname=postgres application_name=flexpg_backup" -D "$dir/.$name" \
		-F p -X stream --checkpoint=fast --no-manifest -w >&2
	sync -f "$dir/.$name/backup_label"
	mv "$dir/.$name" "$dir/$name"
	sync "$dir"
fi
label="$dir/$name/backup_label"
echo "start_wal=$(sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]*\))$/\1/p' "$label")"
echo "timeline=$(sed -n 's/^START TIMELINE: \([0-9]*\)$/\1/p' "$label")"
echo "size_bytes=$(du -sb "$dir/$name" | cut -f1)"
`

// FullBackup is what FullBackupCommand reports about the backup it took.
type FullBackup struct {
	StartWAL  string // the WAL file a restore from it starts in
	Timeline  int
	SizeBytes int64
}

// ParseFullBackup reads FullBackupCommand's output.
func ParseFullBackup(out string) (FullBackup, error) {
	var b FullBackup
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		var err error
		switch k {
		case "start_wal":
			b.StartWAL = v
		case "timeline":
			b.Timeline, err = strconv.Atoi(v)
		case "size_bytes":
			b.SizeBytes, err = strconv.ParseInt(v, 10, 64)
		}
		if err != nil {
			return FullBackup{}, fmt.Errorf("postgres: full backup output %q: %w", line, err)
		}
	}
	return b, nil
}

// RestoreCopyCommand is the argv of a job container (see commands.go) that fills an empty data volume from
// the full backup name of archive id, found in the backup storage mounted at BackupVolume: the copy goes to a
// staging directory, gets RecoverySignalFile, and is renamed into place. Exit codes as BaseBackupCommand's:
// ExitDataExists when the volume already holds a data directory (a copy that finished before a crash).
func RestoreCopyCommand(id, name string) ([]string, error) {
	if err := checkArchiveID(id); err != nil {
		return nil, err
	}
	if err := checkSimpleName("backup name", name); err != nil {
		return nil, err
	}
	return shellCommand("flexpg-restorecopy", scriptPrelude+restoreCopyScript, baseDir(id)+"/"+name), nil
}

const restoreCopyScript = `
SRC=$1
STAGING="$VOLUME/.data-restore"
if [ -f "$DATA/PG_VERSION" ] || { [ -d "$DATA" ] && [ -n "$(ls -A "$DATA")" ]; }; then
	say "$DATA is not empty; refusing to overwrite it"
	exit "$EXIT_DATA_EXISTS"
fi
if [ ! -f "$SRC/backup_label" ]; then
	say "the full backup $SRC is missing"
	exit "$EXIT_FAILED"
fi
rm -rf "$STAGING"
as_postgres cp -a "$SRC" "$STAGING"
chmod 700 "$STAGING"
as_postgres touch "$STAGING/recovery.signal"
rm -f "$STAGING/standby.signal"
if [ -d "$DATA" ]; then
	rmdir "$DATA"
fi
mv "$STAGING" "$DATA"
sync "$VOLUME"
`

// PrepareBackupStorageCommand is the argv (run as root in a throwaway container with the backup volume at
// BackupVolume) that makes the storage ready: the directory every archive lives in, writable by the
// postgres OS user of every server container, which makes its own archive's directory.
func PrepareBackupStorageCommand() []string {
	return shellCommand("flexpg-backupstorage", `set -eu
mkdir -p "$1"
chown postgres:postgres "$1"
chmod 0755 "$1"
`, archiveRoot)
}

// PruneArchiveCommand is the argv (run as root in a throwaway container with the backup volume at
// BackupVolume) that removes what retention let go of in archive id: the full backups named in drop, and
// the WAL segments (and .partial ones) before keepFrom, the first WAL file of the oldest backup kept;
// timeline .history files stay. An empty keepFrom with all set removes the whole archive.
func PruneArchiveCommand(id, keepFrom string, drop []string, all bool) ([]string, error) {
	if err := checkArchiveID(id); err != nil {
		return nil, err
	}
	for _, n := range drop {
		if err := checkSimpleName("backup name", n); err != nil {
			return nil, err
		}
	}
	if keepFrom != "" && !isWALFileName(keepFrom) {
		return nil, fmt.Errorf("postgres: %q is not a WAL file name", keepFrom)
	}
	mode := "some"
	if all {
		mode = "all"
	}
	return shellCommand("flexpg-prune", pruneScript, append([]string{ArchiveDir(id), mode, keepFrom}, drop...)...), nil
}

const pruneScript = `set -eu
dir=$1
mode=$2
keep=$3
shift 3
if [ "$mode" = all ]; then
	rm -rf "$dir"
	exit 0
fi
for name in "$@"; do
	rm -rf "$dir/base/$name" "$dir/base/.$name"
done
if [ -n "$keep" ] && [ -d "$dir/wal" ]; then
	keepseg=$(echo "$keep" | cut -c9-24)
	for f in "$dir"/wal/*; do
		b=$(basename "$f")
		case "$b" in
		*.history) continue ;;
		esac
		seg=$(echo "$b" | cut -c9-24)
		if [ "$seg" \< "$keepseg" ]; then rm -f "$f"; fi
	done
fi
`

// GeoCopyCommand is the argv (run as root in a throwaway container with the region's backup volume at
// BackupVolume and its pair's at GeoVolume) that copies archive id to the pair: the WAL files and the full
// backups named in backups, each only when written before cutoff (Unix seconds of the machine's clock), each
// file copied beside its destination and renamed, so the pair never holds half a file. Files already there
// are kept.
func GeoCopyCommand(id string, cutoff int64, backups []string) ([]string, error) {
	if err := checkArchiveID(id); err != nil {
		return nil, err
	}
	for _, n := range backups {
		if err := checkSimpleName("backup name", n); err != nil {
			return nil, err
		}
	}
	args := append([]string{ArchiveDir(id), GeoVolume + "/servers/" + id, strconv.FormatInt(cutoff, 10)}, backups...)
	return shellCommand("flexpg-geocopy", geoCopyScript, args...), nil
}

// GeoVolume is where a geo copy mounts the pair region's backup storage.
const GeoVolume = "/var/lib/flexpg-geo"

const geoCopyScript = `set -eu
src=$1
dst=$2
cutoff=$3
shift 3
mkdir -p "$dst/wal" "$dst/base"
if [ -d "$src/wal" ]; then
	find "$src/wal" -maxdepth 1 -type f ! -name '.*' ! -newermt "@$cutoff" | while read -r f; do
		b=$(basename "$f")
		if [ ! -e "$dst/wal/$b" ]; then
			cp "$f" "$dst/wal/.$b.tmp"
			mv "$dst/wal/.$b.tmp" "$dst/wal/$b"
		fi
	done
fi
for name in "$@"; do
	if [ -d "$src/base/$name" ] && [ ! -d "$dst/base/$name" ]; then
		rm -rf "$dst/base/.$name"
		cp -a "$src/base/$name" "$dst/base/.$name"
		mv "$dst/base/.$name" "$dst/base/$name"
	fi
done
chown -R postgres:postgres "$dst"
sync
`

// isWALFileName reports whether s is a WAL segment file name (24 upper-case hex digits).
func isWALFileName(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}
