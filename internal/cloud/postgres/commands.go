package postgres

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Commands that build or repair a data directory (BaseBackupCommand, RewindCommand) run in a throwaway
// container of the server image started with ExecEnv: the image's entrypoint then runs the command's argv
// as root, with the instance's data volume mounted at DataVolume and no PostgreSQL running on it. The script
// drops to the postgres OS user (setpriv, as the entrypoint does) for everything that touches the data
// directory, so every file it leaves is postgres's, as the server expects.
//
// Before starting the container the caller copies into ConfigDir: ReplicationCertFile, ReplicationKeyFile
// and CAFile (any owner and mode; the script makes the key postgres's and 0600, as libpq requires), and for
// RewindCommand also the instance's ConfigFile, which the crash recovery before a rewind runs with.

// ExecEnv makes the image's entrypoint run the container's command instead of PostgreSQL.
const ExecEnv = "FLEXPG_MODE=exec"

// ExitCode is how a command's container exits. Codes other than those below (a shell's 126/127, a tool's
// own) are unexpected failures; the container's output says which step failed.
type ExitCode int

const (
	// ExitOK: the data directory is ready to start as a standby (StandbySignalFile is in place).
	ExitOK ExitCode = 0
	// ExitFailed: a step failed in a way the command cannot classify; nothing says a retry would help.
	ExitFailed ExitCode = 1
	// ExitDataExists: BaseBackupCommand found a data directory (or unknown files) on the volume and left it
	// alone; the caller gives it an empty volume or clears this one on purpose.
	ExitDataExists ExitCode = 20
	// ExitSourceUnavailable: the source server did not answer, and the volume is as it was. Transient:
	// retry when the source is up.
	ExitSourceUnavailable ExitCode = 21
	// ExitRebuild: RewindCommand cannot make this volume a standby of the source (no data directory, a
	// different system, no common timeline, WAL missing since the fork, or pg_rewind failed half way, after
	// which PostgreSQL's documentation says the target is likely unrecoverable). Take a new base backup into
	// an empty volume instead.
	ExitRebuild ExitCode = 22
)

// Errors ExitError wraps, for errors.Is.
var (
	ErrDataExists        = errors.New("postgres: the volume holds a data directory already")
	ErrSourceUnavailable = errors.New("postgres: the source server is unavailable")
	ErrRebuild           = errors.New("postgres: the data directory cannot be rewound; take a new base backup")
)

// ExitError turns a command container's exit code into nil (ExitOK) or an error that errors.Is one of the
// sentinel errors above when the code is one of the contract's.
func ExitError(code int) error {
	switch ExitCode(code) {
	case ExitOK:
		return nil
	case ExitDataExists:
		return fmt.Errorf("%w (exit %d)", ErrDataExists, code)
	case ExitSourceUnavailable:
		return fmt.Errorf("%w (exit %d)", ErrSourceUnavailable, code)
	case ExitRebuild:
		return fmt.Errorf("%w (exit %d)", ErrRebuild, code)
	default:
		return fmt.Errorf("postgres: command failed with exit code %d", code)
	}
}

// shellCommand is the argv that runs script with sh: values reach it as positional parameters ($1, ...),
// never inside the script's text, so no value needs shell quoting.
func shellCommand(name, script string, args ...string) []string {
	return append([]string{"/bin/sh", "-c", script, name}, args...)
}

// scriptPrelude starts every command script: strict mode, the paths and exit codes of the contract, a helper
// that runs a program as the postgres OS user, and the ownership fixes the replication key needs.
var scriptPrelude = strings.NewReplacer(
	"@VOLUME@", DataVolume, "@DATA@", DataDirectory, "@CONFIG_FILE@", ConfigFile,
	"@CERT@", ReplicationCertFile, "@KEY@", ReplicationKeyFile, "@SIGNAL@", path.Base(StandbySignalFile),
	"@EXIT_FAILED@", exitString(ExitFailed), "@EXIT_DATA_EXISTS@", exitString(ExitDataExists),
	"@EXIT_UNAVAILABLE@", exitString(ExitSourceUnavailable), "@EXIT_REBUILD@", exitString(ExitRebuild),
).Replace(`set -eu
VOLUME=@VOLUME@
DATA=@DATA@
CONFIG_FILE=@CONFIG_FILE@
SIGNAL=@SIGNAL@
EXIT_FAILED=@EXIT_FAILED@
EXIT_DATA_EXISTS=@EXIT_DATA_EXISTS@
EXIT_UNAVAILABLE=@EXIT_UNAVAILABLE@
EXIT_REBUILD=@EXIT_REBUILD@

as_postgres() {
	setpriv --reuid=postgres --regid=postgres --init-groups "$@"
}

say() {
	echo "$0: $*" >&2
}

chown postgres:postgres "$VOLUME" @CERT@ @KEY@
chmod 600 @KEY@
`)

func exitString(c ExitCode) string { return strconv.Itoa(int(c)) }
