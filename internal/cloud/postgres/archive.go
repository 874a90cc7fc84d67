package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The backup storage of a region is a volume mounted into every server container of the region at
// BackupVolume. Each server's backups live in a directory of their own, ArchiveDir(id): wal/ holds the WAL
// archive (segments, .partial segments and timeline .history files, under PostgreSQL's own names), base/ the
// full backups, each a plain copy of the data directory as pg_basebackup -Fp writes it. The same layout is
// used in the region's pair for the geo-redundant copy.
const (
	BackupVolume = "/var/lib/flexpg-backup"
	archiveRoot  = BackupVolume + "/servers"
	// ArchiveScriptFile and RestoreScriptFile are the archive and restore commands, copied into every
	// server container with its configuration.
	ArchiveScriptFile = ConfigDir + "/wal-archive"
	RestoreScriptFile = ConfigDir + "/wal-restore"
)

// ArchiveDir is where the backups of the archive named id live inside a container.
func ArchiveDir(id string) string { return archiveRoot + "/" + id }

func walDir(id string) string  { return ArchiveDir(id) + "/wal" }
func baseDir(id string) string { return ArchiveDir(id) + "/base" }

// checkArchiveID accepts what the cloud names archives with: a server name and a number.
func checkArchiveID(id string) error {
	if id == "" || len(id) > 100 {
		return fmt.Errorf("postgres: archive id %q: empty or too long", id)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("postgres: archive id %q: only lowercase letters, digits and hyphens are allowed", id)
		}
	}
	return nil
}

// archiveScript is archive_command's program: wal-archive <source path> <destination path>. It never
// replaces an archived file: a file already there with the same bytes is success (an HA pair archives the
// same segments twice, and a retry after a crash finds its own copy), one with other bytes is a failure, so
// PostgreSQL keeps the segment and retries while the cloud's log shows why. The copy is written beside the
// destination, flushed, and linked into place, which fails if the name exists: two archivers racing for one
// segment cannot both win.
const archiveScript = `#!/bin/sh
set -eu
src=$1
dst=$2
dir=$(dirname "$dst")
mkdir -p "$dir"
if [ -e "$dst" ]; then
	if cmp -s "$src" "$dst"; then exit 0; fi
	echo "wal-archive: $dst exists with different content; refusing to overwrite it" >&2
	exit 1
fi
tmp="$dir/.$(basename "$dst").$$"
cp "$src" "$tmp"
sync "$tmp"
if ln "$tmp" "$dst" 2>/dev/null; then
	rm -f "$tmp"
	sync "$dir"
	exit 0
fi
rm -f "$tmp"
if cmp -s "$src" "$dst"; then exit 0; fi
echo "wal-archive: $dst appeared with different content; refusing to overwrite it" >&2
exit 1
`

// restoreScript is restore_command's program: wal-restore <archive wal dir> <file name> <destination>.
// A missing file is the normal end of the archive (exit 1, PostgreSQL then ends recovery or keeps
// streaming); anything else is copied.
const restoreScript = `#!/bin/sh
set -eu
if [ ! -f "$1/$2" ]; then exit 1; fi
cp "$1/$2" "$3"
`

// ArchiveScripts are the archive and restore programs, to copy (mode 0755) into a server container.
func ArchiveScripts() map[string][]byte {
	return map[string][]byte{ArchiveScriptFile: []byte(archiveScript), RestoreScriptFile: []byte(restoreScript)}
}

// ArchiveSettings are the settings of an instance that archives its WAL into the archive id: every instance
// of a primary server, the HA standby too (archive_mode=always archives what it receives, so the archive has
// every segment when the primary dies before archiving it, as seed 002 describes). archive_timeout switches
// a segment holding a commit after spec.ArchiveTimeout at the latest.
func ArchiveSettings(id string) (map[string]string, error) {
	if err := checkArchiveID(id); err != nil {
		return nil, err
	}
	return map[string]string{
		"archive_mode":    "always",
		"archive_command": ArchiveScriptFile + ` "%p" "` + walDir(id) + `/%f"`,
		"archive_timeout": strconv.Itoa(int(spec.ArchiveTimeout / time.Second)),
	}, nil
}

// NoArchiveSettings are the settings of an instance whose WAL is not archived: a read replica (no backups
// are taken of one, seed 004) and a server still restoring. archive_mode stays always (it can only change at a
// restart, and promotion must not need one): the command only marks each segment done.
func NoArchiveSettings() map[string]string {
	return map[string]string{"archive_mode": "always", "archive_command": "/bin/true", "archive_timeout": "0"}
}

// RestoreTarget is where a restoring server's recovery stops: at Time (the last commit at or before it is
// the last one replayed), or, with a zero Time, at the end of the archive.
type RestoreTarget struct {
	Archive string // the source's archive id
	Time    time.Time
}

// RestoreSettings are the recovery settings of a server being restored from an archive (RecoverySignalFile
// must be in its data directory). It follows the archive's latest timeline, stops after the last commit at
// or before the target, and is then promoted onto a timeline of its own. Timestamps are the wall-clock
// times PostgreSQL writes into commit records.
func RestoreSettings(t RestoreTarget) (map[string]string, error) {
	if err := checkArchiveID(t.Archive); err != nil {
		return nil, err
	}
	out := map[string]string{
		"restore_command":          RestoreScriptFile + ` "` + walDir(t.Archive) + `" "%f" "%p"`,
		"recovery_target_timeline": "latest",
		"recovery_target_action":   "promote",
	}
	if !t.Time.IsZero() {
		out["recovery_target_time"] = t.Time.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
		out["recovery_target_inclusive"] = "on"
	}
	return out, nil
}

// RecoverySignalFile, present when PostgreSQL starts, makes it recover from restore_command and then open;
// promotion at the target removes it.
const RecoverySignalFile = DataDirectory + "/recovery.signal"

// RecoveryTargetMissed reports whether a failed start's reason (StartError of its log) is that recovery
// reached the end of the archive before its recovery_target_time: no commit after the target had been
// archived. The restore then runs again without a target, which replays the whole archive, every commit of
// it at or before the target.
func RecoveryTargetMissed(reason string) bool {
	return strings.Contains(reason, "recovery ended before configured recovery target was reached")
}

// ArchivePoint is how far a primary's archive reaches: the WAL file holding every commit made before the call
// that returned it.
type ArchivePoint struct{ WALFile string }

// SealArchive makes every commit so far reach the archive: a small transaction writes a commit record (so a
// restore to any time up to now finds a commit past its target and stops there), then the WAL segment is
// switched, which the archiver ships at once. It returns the file to wait for (ArchivedFile).
func SealArchive(ctx context.Context, conn *pgx.Conn) (ArchivePoint, error) {
	if _, err := conn.Exec(ctx, "SELECT pg_catalog.txid_current()"); err != nil {
		return ArchivePoint{}, fmt.Errorf("postgres: write the archive's marker commit: %w", err)
	}
	var file string
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_walfile_name(pg_catalog.pg_switch_wal())").Scan(&file); err != nil {
		return ArchivePoint{}, fmt.Errorf("postgres: switch the WAL segment: %w", err)
	}
	return ArchivePoint{WALFile: file}, nil
}

// ArchivedFile returns the last WAL file the instance's archiver shipped ("" before the first), and the last
// that failed with when (zero when none failed since the statistics were reset).
func ArchivedFile(ctx context.Context, conn *pgx.Conn) (last, failed string, failedAt time.Time, err error) {
	var l, f *string
	var at *time.Time
	err = conn.QueryRow(ctx, "SELECT last_archived_wal, last_failed_wal, last_failed_time FROM pg_catalog.pg_stat_archiver").Scan(&l, &f, &at)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("postgres: read pg_stat_archiver: %w", err)
	}
	if l != nil {
		last = *l
	}
	if f != nil {
		failed = *f
	}
	if at != nil {
		failedAt = *at
	}
	return last, failed, failedAt, nil
}

// Archived reports whether the WAL file want is archived when last is the last file shipped: segment names
// sort in the order they are written (timeline, then position). A .history file says nothing either way.
func Archived(want, last string) bool {
	if want == "" {
		return true
	}
	seg := strings.TrimSuffix(last, ".partial")
	return len(seg) == len(want) && seg >= want
}

// DatabaseNames lists the databases users made (not the templates, not the service's own).
func DatabaseNames(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_catalog.pg_database WHERE NOT datistemplate ORDER BY datname")
	if err != nil {
		return nil, fmt.Errorf("postgres: list databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: list databases: %w", err)
	}
	var out []string
	for _, n := range names {
		if !slices.Contains(spec.ReservedDatabaseNames(), n) {
			out = append(out, n)
		}
	}
	return out, nil
}
