package postgres

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestArchiveScriptNeverOverwrites runs the archive command's own script (with the machine's sh and
// coreutils, as the image has them): a new segment is archived, an identical duplicate (an HA pair ships
// every segment twice) succeeds, a different file under the same name fails and leaves the archived one as
// it was, and nothing half-written is left beside it.
func TestArchiveScriptNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "wal-archive")
	if err := os.WriteFile(script, []byte(archiveScript), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	segment := bytes.Repeat([]byte("wal"), 1<<16)
	src := write("pg_wal_segment", segment)
	dst := filepath.Join(dir, "archive", "wal", "000000010000000000000003")
	run := func(from string) (int, string) {
		out, err := exec.Command(script, from, dst).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := run(src); code != 0 {
		t.Fatalf("archiving a new segment: exit %d: %s", code, out)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, segment) {
		t.Fatal("the archived segment differs from its source")
	}
	if code, out := run(src); code != 0 {
		t.Fatalf("archiving an identical duplicate: exit %d: %s", code, out)
	}
	other := write("other_segment", append(bytes.Clone(segment[:len(segment)-1]), 'X'))
	code, out := run(other)
	if code == 0 || !strings.Contains(out, "refusing to overwrite") {
		t.Fatalf("archiving different bytes under an archived name: exit %d: %s; want a failure", code, out)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, segment) {
		t.Fatal("a refused archive attempt changed the archived segment")
	}
	entries, err := os.ReadDir(filepath.Dir(dst))
	if err != nil || len(entries) != 1 {
		t.Fatalf("archive directory holds %v (%v); want only the segment", entries, err)
	}
}

func TestRestoreSettings(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 123456000, time.UTC)
	s, err := RestoreSettings(RestoreTarget{Archive: "src-1", Time: at})
	if err != nil {
		t.Fatal(err)
	}
	if s["recovery_target_time"] != "2026-12-02 10:00:00.123456+00" || s["recovery_target_action"] != "promote" ||
		s["recovery_target_inclusive"] != "on" || s["recovery_target_timeline"] != "latest" ||
		s["restore_command"] != RestoreScriptFile+` "`+BackupVolume+`/servers/src-1/wal" "%f" "%p"` {
		t.Fatalf("restore settings %v", s)
	}
	end, err := RestoreSettings(RestoreTarget{Archive: "src-1"})
	if err != nil || end["recovery_target_time"] != "" {
		t.Fatalf("restore to the archive's end: %v %v", end, err)
	}
	if _, err := RestoreSettings(RestoreTarget{Archive: "../x"}); err == nil {
		t.Fatal("an archive id with a path in it was accepted")
	}
	if !Archived("000000020000000000000005", "000000020000000000000007") || Archived("000000020000000000000005", "00000002.history") ||
		Archived("000000020000000000000005", "") || !Archived("", "") {
		t.Fatal("Archived orders WAL file names wrongly")
	}
}
