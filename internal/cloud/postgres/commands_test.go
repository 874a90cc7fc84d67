package postgres

import (
	"errors"
	"net/netip"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

var testSource = Peer{Host: "db1.postgres.flexpg.internal", Addr: netip.MustParseAddr("10.0.0.5"), Port: 5432}

// checkScript checks the argv shape every command shares and that sh can parse the script.
func checkScript(t *testing.T, argv []string, name string, args ...string) {
	t.Helper()
	if len(argv) != 4+len(args) || argv[0] != "/bin/sh" || argv[1] != "-c" || argv[3] != name {
		t.Fatalf("argv %q", argv)
	}
	for i, a := range args {
		if argv[4+i] != a {
			t.Fatalf("argument %d = %q, want %q", i+1, argv[4+i], a)
		}
	}
	script := argv[2]
	for _, want := range []string{"set -eu", "VOLUME=" + DataVolume, "DATA=" + DataDirectory, "setpriv --reuid=postgres",
		"chmod 600 " + ReplicationKeyFile} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if regexp.MustCompile(`@[A-Z_]+@`).MatchString(script) {
		t.Errorf("script has an unreplaced placeholder:\n%s", script)
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		if out, err := exec.Command(sh, "-n", "-c", script).CombinedOutput(); err != nil {
			t.Fatalf("sh -n: %v\n%s", err, out)
		}
	}
}

func TestBaseBackupCommand(t *testing.T) {
	argv, err := BaseBackupCommand(BaseBackup{Source: testSource, Slot: "flexpg_ha_b"})
	if err != nil {
		t.Fatal(err)
	}
	conninfo, _ := replicationConninfo(testSource, baseBackupApplicationName, "")
	checkScript(t, argv, "flexpg-basebackup", conninfo, "flexpg_ha_b")
	ci := parseConninfo(t, conninfo)
	if _, ok := ci["dbname"]; ok || ci["user"] != ReplicationRole || ci["sslmode"] != "verify-full" {
		t.Fatalf("base backup conninfo %v", ci)
	}
	for _, want := range []string{"-X stream", `-S "$SLOT"`, "--checkpoint=fast", `mv "$STAGING" "$DATA"`} {
		if !strings.Contains(argv[2], want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(argv[2], " -R") {
		t.Error("pg_basebackup must not write its own standby settings")
	}
	if _, err := BaseBackupCommand(BaseBackup{Source: testSource, Slot: "bad-slot"}); err == nil {
		t.Error("bad slot accepted")
	}
	if _, err := BaseBackupCommand(BaseBackup{Source: Peer{Host: "x"}, Slot: "s"}); err == nil {
		t.Error("source without a port accepted")
	}
}

func TestRewindCommand(t *testing.T) {
	argv, err := RewindCommand(Rewind{Source: testSource})
	if err != nil {
		t.Fatal(err)
	}
	conninfo, _ := replicationConninfo(testSource, rewindApplicationName, ManagementDatabase)
	checkScript(t, argv, "flexpg-rewind", conninfo)
	if ci := parseConninfo(t, conninfo); ci["dbname"] != ManagementDatabase || ci["user"] != ReplicationRole {
		t.Fatalf("rewind conninfo %v", ci)
	}
	for _, want := range []string{"postgres --single", "config_file=\"$CONFIG_FILE\"", "CONFIG_FILE=" + ConfigFile,
		"pg_rewind --target-pgdata=\"$DATA\"", "--config-file=", "</dev/null", "CHECKPOINT"} {
		if !strings.Contains(argv[2], want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if _, err := RewindCommand(Rewind{Source: Peer{Host: "a\nb", Port: 5432}}); err == nil {
		t.Error("host with a newline accepted")
	}
}

func TestExitError(t *testing.T) {
	if err := ExitError(0); err != nil {
		t.Fatalf("ExitError(0) = %v", err)
	}
	for code, want := range map[ExitCode]error{ExitDataExists: ErrDataExists, ExitSourceUnavailable: ErrSourceUnavailable,
		ExitRebuild: ErrRebuild} {
		if err := ExitError(int(code)); !errors.Is(err, want) {
			t.Errorf("ExitError(%d) = %v, want %v", code, err, want)
		}
	}
	for _, code := range []int{1, 2, 126, 127, 137} {
		err := ExitError(code)
		if err == nil || errors.Is(err, ErrRebuild) || errors.Is(err, ErrSourceUnavailable) || errors.Is(err, ErrDataExists) {
			t.Errorf("ExitError(%d) = %v, want an unclassified error", code, err)
		}
	}
}
