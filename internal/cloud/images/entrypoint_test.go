package images

import (
	"os/exec"
	"strings"
	"testing"
)

func TestEntrypointContract(t *testing.T) {
	must := []string{
		"#!/bin/sh\n",
		"/var/lib/flexpg",
		"/var/lib/flexpg/data",
		"/etc/flexpg",
		"/usr/share/flexpg/template-data.tar",
		"PG_VERSION",
		`"${FLEXPG_MODE:-}" = exec`,
		`"${FLEXPG_MODE:-}" = prepare`,
		`exec "$@"`,
		"chown postgres:postgres \"$VOLUME\" /run/postgresql",
		"chown -R postgres:postgres \"$CONF\"",
		"chmod 600 \"$CONF/server.key\"",
		`tar -C "$STAGING" --no-same-owner -xpf "$TEMPLATE"`,
		"initdb -D",
		"-U azuresu",
		"--locale=en_US.UTF-8",
		"exec setpriv --reuid=postgres",
		`config_file="$CONF/postgresql.conf"`,
	}
	for _, s := range must {
		if !strings.Contains(entrypointScript, s) {
			t.Errorf("entrypoint lacks %q", s)
		}
	}
}

// TestEntrypointSyntax parses the script with the host's POSIX shell, so a typo fails here rather than in a
// container.
func TestEntrypointSyntax(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	cmd := exec.Command(sh, "-n")
	cmd.Stdin = strings.NewReader(entrypointScript)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v\n%s", err, out)
	}
}
