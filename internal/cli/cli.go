// Package cli is the operator command line of the simulated cloud: `terraform-provider-flexpg cloud <verb>`.
// It runs the daemon (serve, up, down, status) and does what Terraform does not own (restart, stop, start,
// logs, psql, image builds).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one verb.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env carries the process's streams so commands can be tested.
type env struct {
	stdout, stderr io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the cloud in the foreground", cmdServe},
		"up":        {"start the local cloud in the background (no-op if it runs)", cmdUp},
		"down":      {"stop the local cloud (servers keep their data and come back with it)", cmdDown},
		"status":    {"show the local cloud, its servers and anything it left unowned", cmdStatus},
		"server":    {"server list | server show|metrics [-json]|backups [-json]|endpoints|restart|stop|start <name> | server failover --planned|--forced <name>", cmdServer},
		"logs":      {"logs <server> [-tail N]: the server's PostgreSQL log", cmdLogs},
		"psql":      {"psql <server> [-d db] [-U user]: connect with TLS (verify-full) as the admin", cmdPsql},
		"images":    {"images build [-version 15|17|all]: build the PostgreSQL images", cmdImages},
		"fault":     {faultUsage + ": inject a fault into the cloud's own containers, for drills", cmdFault},
		"clock":     {"clock now | clock advance <duration>: the cloud's time (restore times are on it), or move it forward (e.g. 168h to see auto-start)", cmdClock},
		"operation": {"operation <id>: an operation's status and the time each of its steps took", cmdOperation},
		"run":       {"run -subnet <subnet id> [-e K=V] -- <command>: run a command in a container inside a VNet", cmdRun},
	}
}

// Main runs one cloud command and returns the process exit code.
func Main(ctx context.Context, args []string) int {
	e := &env{stdout: os.Stdout, stderr: os.Stderr}
	return run(ctx, e, args)
}

func run(ctx context.Context, e *env, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout, cmds)
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return 2
	}
	if err := cmd.run(ctx, e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if code, ok := asExitCode(err); ok {
			return code
		}
		fmt.Fprintln(e.stderr, "error:", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: terraform-provider-flexpg cloud <command> [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nThe local cloud lives in $FLEXPG_HOME (default ~/.flexpg).")
}

// usageError is a bad command line (exit code 2).
type usageError string

func (u usageError) Error() string { return string(u) }

func usagef(format string, args ...any) error { return usageError(fmt.Sprintf(format, args...)) }

// flags builds a flag set that reports errors instead of exiting.
func flags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// oneArg parses the flags and returns the single positional argument (e.g. a server name). Flags may come
// before or after it.
func oneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	if len(pos) != 1 {
		return "", usagef("expected exactly one %s, got %q", what, strings.Join(pos, " "))
	}
	return pos[0], nil
}
