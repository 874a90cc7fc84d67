package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	code, out, _ := runCLI("help")
	if code != 0 || !strings.Contains(out, "psql") || !strings.Contains(out, "status") {
		t.Fatalf("help: %d %s", code, out)
	}
	code, _, errOut := runCLI("explode")
	if code != 2 || !strings.Contains(errOut, `unknown command "explode"`) {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
}

func TestBadArguments(t *testing.T) {
	t.Setenv("FLEXPG_ENDPOINT", "http://127.0.0.1:1") // never contacted: argument errors come first
	for _, args := range [][]string{{"server"}, {"server", "show"}, {"server", "show", "a", "b"}, {"images", "push"}} {
		code, _, errOut := runCLI(args...)
		if code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
	code, _, errOut := runCLI("server", "list")
	if code != 1 || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Fatalf("unreachable cloud: %d %s", code, errOut)
	}
}

func TestOneArgAcceptsFlagsAfterTheName(t *testing.T) {
	fs := flags(&env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}, "logs")
	tail := fs.Int("tail", 1, "")
	name, err := oneArg(fs, []string{"demo", "-tail", "7"}, "server name")
	if err != nil || name != "demo" || *tail != 7 {
		t.Fatalf("%q %d %v", name, *tail, err)
	}
}
