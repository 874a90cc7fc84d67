// Command benchmark measures the operations users of flexpg wait for and prints one line per figure:
//
//	BENCH <name> <value> <unit>
//
// Every run also measures the floor on the same machine: a bare container from the same image that runs
// initdb and starts PostgreSQL, until it answers a query. `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "", "provider binary (for the Terraform plan benchmark)")
	runs := flag.Int("runs", 5, "samples per median")
	skipBuild := flag.Bool("skip-image-build", false, "do not measure the cold image build")
	var ha haConfig
	flag.IntVar(&ha.kills, "ha-kills", 5, "primary kills under the ledger")
	flag.IntVar(&ha.pauses, "ha-pauses", 3, "primary pauses under the ledger")
	flag.IntVar(&ha.isolations, "ha-isolations", 3, "primary isolations under the ledger")
	flag.IntVar(&ha.planned, "ha-planned", 5, "planned failovers under the ledger")
	flag.IntVar(&ha.writers, "ha-writers", 16, "ledger writers during the faults")
	only := flag.String("only", "", "run only the groups whose names start with this (the floor always runs), e.g. replica")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	if err := run(ctx, *bin, *runs, *skipBuild, ha, *only); err != nil {
		fmt.Fprintln(os.Stderr, "benchmark:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin string, runs int, skipBuild bool, ha haConfig, only string) error {
	b, err := newBench(ctx)
	if err != nil {
		return err
	}
	defer b.close()
	if !skipBuild {
		if err := b.imageBuild(ctx); err != nil {
			return err
		}
	}
	steps := []struct {
		name string
		fn   func(context.Context, int) error
	}{
		{"floor", b.floor},
		{"create", b.createToFirstQuery},
		{"stopstart", b.stopStart},
		{"scale", b.scale},
		{"ha create", b.haCreate},
		{"pgbench", b.pgbenchHA},
		{"ha faults", func(ctx context.Context, _ int) error { return b.haFaults(ctx, ha) }},
		{"replica create", b.replicaCreate},
		{"replica lag", b.replicaLag},
		{"replica promote", b.replicaPromote},
		{"restore", b.pointInTimeRestore},
	}
	for _, s := range steps {
		if only != "" && s.name != "floor" && !strings.HasPrefix(s.name, only) {
			continue
		}
		if err := s.fn(ctx, runs); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if bin != "" && only == "" {
		if err := b.planRefresh(ctx, bin, 10); err != nil {
			return fmt.Errorf("plan refresh: %w", err)
		}
	}
	return nil
}

// report prints a BENCH line.
func report(name string, value float64, unit string) {
	fmt.Printf("BENCH %s %.3f %s\n", name, value, unit)
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func seconds(d time.Duration) float64 { return d.Seconds() }
