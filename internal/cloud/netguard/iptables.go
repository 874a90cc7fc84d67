package netguard

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// execFunc runs a program with stdin and returns its standard output. Tests replace it.
type execFunc func(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error)

// runCommand runs a program; a failure carries the program's own explanation from stderr.
func runCommand(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("netguard: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// readState reads the current state of every table we touch. -w waits for the xtables lock instead of failing
// when another program (Docker) holds it.
func readState(ctx context.Context, run execFunc) (state, error) {
	st := state{}
	for _, table := range tables {
		out, err := run(ctx, nil, "iptables", "-w", "-t", table, "-S")
		if err != nil {
			return nil, err
		}
		st[table] = parseTable(string(out))
	}
	return st, nil
}

// restore feeds input to iptables-restore without flushing anything else: only chains the input declares
// are emptied. Each table's section is committed as one unit.
func restore(ctx context.Context, run execFunc, input string) error {
	if input == "" {
		return nil
	}
	_, err := run(ctx, []byte(input), "iptables-restore", "-w", "--noflush")
	return err
}
