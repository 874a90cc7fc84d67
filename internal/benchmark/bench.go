package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/images"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloudtest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

const password = "Bench-Passw0rd!"

type bench struct {
	cloud       *cloudtest.Cloud
	c           *client.Client
	ca          string
	caFile      string // ca, for libpq clients (pgbench) and the ledger's DSN
	home        string
	floorMedian time.Duration
}

func newBench(ctx context.Context) (*bench, error) {
	home, err := os.MkdirTemp("", "flexpg-bench-")
	if err != nil {
		return nil, err
	}
	cloud, err := cloudtest.Start(ctx, home)
	if err != nil {
		return nil, err
	}
	c := client.New(cloud.Endpoint(), cloud.Token(), client.WithPollInterval(20*time.Millisecond, 100*time.Millisecond))
	ca, err := c.GetCACertificate(ctx)
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(home, "bench-ca.crt")
	if err := os.WriteFile(caFile, []byte(ca), 0o600); err != nil {
		return nil, err
	}
	return &bench{cloud: cloud, c: c, ca: ca, caFile: caFile, home: home}, nil
}

func (b *bench) close() {
	_ = b.cloud.Stop()
	_ = os.RemoveAll(b.home)
}

// imageBuild measures a forced rebuild of flexpg/postgres:15 (debootstrap's package cache may be warm).
func (b *bench) imageBuild(ctx context.Context) error {
	start := time.Now()
	if _, err := images.Build(ctx, b.cloud.Runtime().Client(), "15", func(string, ...any) {}); err != nil {
		return err
	}
	report("image_build_pg15", seconds(time.Since(start)), "s")
	return nil
}

// floor measures a bare container from the same image: initdb, start, first query over TCP from the host.
func (b *bench) floor(ctx context.Context, runs int) error {
	rt := b.cloud.Runtime()
	labels := runtime.Labels{runtime.LabelManaged: "true", runtime.LabelTest: cloudtest.RunLabel(), runtime.LabelRole: "bench-floor"}
	netInfo, err := rt.CreateNetwork(ctx, runtime.NetworkSpec{Name: "flexpg-bench-floor", Labels: labels})
	if err != nil {
		return err
	}
	defer func() { _ = rt.RemoveNetwork(context.Background(), netInfo.Name) }()
	script := "mkdir -p /tmp/d && chown postgres /tmp/d && setpriv --reuid=postgres --regid=postgres --init-groups sh -c " +
		"'initdb -D /tmp/d -U postgres -A trust >/dev/null && echo \"host all all 0.0.0.0/0 trust\" >> /tmp/d/pg_hba.conf && " +
		"exec postgres -D /tmp/d -c listen_addresses=*'"
	var samples []time.Duration
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("flexpg-bench-floor-%d", i)
		start := time.Now()
		if _, err := rt.CreateContainer(ctx, runtime.ContainerSpec{Name: name, Image: images.ImageRef("15"), Labels: labels,
			Network: netInfo.Name, Env: []string{"FLEXPG_MODE=exec"}, Cmd: []string{"sh", "-c", script}, StopSignal: "SIGINT"}); err != nil {
			return err
		}
		if err := rt.StartContainer(ctx, name); err != nil {
			return err
		}
		info, err := rt.InspectContainer(ctx, name)
		if err != nil {
			return err
		}
		addr := net.JoinHostPort(info.IPs[netInfo.Name], "5432")
		if _, err := cloudtest.Eventually(ctx, time.Minute, func() error { return plainQuery(ctx, addr) }); err != nil {
			return err
		}
		samples = append(samples, time.Since(start))
		_ = rt.RemoveContainer(ctx, name)
	}
	b.floorMedian = median(samples)
	report("floor_container_initdb_start", seconds(b.floorMedian), "s")
	return nil
}

func plainQuery(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, "select 1").Scan(new(int))
}

// done waits for the operation a client call returned.
func (b *bench) done(op *model.Operation, err error) error {
	_, err = b.finished(op, err)
	return err
}

// finished waits for the operation a client call returned and returns it as it ended, with its steps.
func (b *bench) finished(op *model.Operation, err error) (*model.Operation, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return b.c.Do(ctx, op, err, nil)
}

// firstQuery waits until a verify-full TLS query through the host endpoint succeeds.
func (b *bench) firstQuery(ctx context.Context, name string) error {
	srv, err := b.c.GetServer(ctx, name)
	if err != nil {
		return err
	}
	conn := cloudtest.Conn{Server: srv, User: "pgadmin", Password: password, CAPEM: b.ca}
	_, err = cloudtest.Eventually(ctx, 2*time.Minute, func() error { _, err := conn.QueryString(ctx, "select 'ok'"); return err })
	return err
}

func (b *bench) createServer(ctx context.Context, name, sku string, ha bool) error {
	_, err := b.createServerTimed(ctx, name, sku, ha)
	return err
}

// createServerTimed creates a server (with a zone-redundant standby when ha is set), opens it to this machine
// and waits for the first verify-full query, and says where the time went: each step of the create
// operation, for HA the time from the PUT until ha_state is Healthy, the firewall rule's operation, and the
// wait for the first query after both.
func (b *bench) createServerTimed(ctx context.Context, name, sku string, ha bool) (breakdown, error) {
	bd := breakdown{}
	s := model.Server{Name: name, Location: "westeurope", Version: "15", SKUName: sku, AdministratorLogin: "pgadmin",
		AdministratorPassword: password}
	if ha {
		s.HighAvailability = &model.HighAvailability{Mode: spec.HAModeZoneRedundant}
	}
	start := time.Now()
	create, err := b.finished(b.c.PutServer(ctx, name, s, true))
	if err != nil {
		return nil, err
	}
	bd.addSteps("create_step_", create)
	bd.add("create_operation", create.FinishedAt.Sub(create.StartedAt))
	if ha {
		if err := b.awaitHealthy(ctx, name); err != nil {
			return nil, err
		}
		bd.add("create_to_healthy", time.Since(start))
	}
	t0 := time.Now()
	if err := b.done(b.c.PutFirewallRule(ctx, name, model.FirewallRule{Name: "local", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"})); err != nil {
		return nil, err
	}
	bd.add("firewall_rule_to_done", time.Since(t0))
	t1 := time.Now()
	if err := b.firstQuery(ctx, name); err != nil {
		return nil, err
	}
	bd.add("first_query_after_rule", time.Since(t1))
	return bd, nil
}

// breakdown is the time spent in each named part of one sample.
type breakdown map[string]time.Duration

func (bd breakdown) add(name string, d time.Duration) { bd[name] += d }

func (bd breakdown) addSteps(prefix string, op *model.Operation) {
	for _, s := range op.Steps {
		bd.add(prefix+s.Name, time.Duration(s.DurationMS*float64(time.Millisecond)))
	}
}

// reportMedians prints the median of every part over the samples, in name order.
func reportMedians(prefix string, samples []breakdown) {
	parts := map[string][]time.Duration{}
	for _, bd := range samples {
		for name, d := range bd {
			parts[name] = append(parts[name], d)
		}
	}
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		report(prefix+name+"_median", seconds(median(parts[name])), "s")
	}
}

// createToFirstQuery: PUT server → operation done → firewall rule → first verify-full query, with the
// create broken down by step.
func (b *bench) createToFirstQuery(ctx context.Context, runs int) error {
	var samples []time.Duration
	var parts []breakdown
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("bench-create-%d", i)
		start := time.Now()
		bd, err := b.createServerTimed(ctx, name, "B_Standard_B1ms", false)
		if err != nil {
			return err
		}
		samples = append(samples, time.Since(start))
		parts = append(parts, bd)
		if err := b.done(b.c.DeleteServer(ctx, name)); err != nil {
			return err
		}
	}
	reportMedians("server_create_", parts)
	m := median(samples)
	report("server_create_to_first_tls_query_median", seconds(m), "s")
	if b.floorMedian > 0 {
		report("server_create_vs_floor", m.Seconds()/b.floorMedian.Seconds(), "x")
	}
	return nil
}

func (b *bench) stopStart(ctx context.Context, runs int) error {
	name := "bench-power"
	if err := b.createServer(ctx, name, "B_Standard_B1ms", false); err != nil {
		return err
	}
	var stops, starts []time.Duration
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		if err := b.done(b.c.StopServer(ctx, name)); err != nil {
			return err
		}
		stops = append(stops, time.Since(t0))
		t1 := time.Now()
		if err := b.done(b.c.StartServer(ctx, name)); err != nil {
			return err
		}
		if err := b.firstQuery(ctx, name); err != nil {
			return err
		}
		starts = append(starts, time.Since(t1))
	}
	report("server_stop_median", seconds(median(stops)), "s")
	report("server_start_to_first_query_median", seconds(median(starts)), "s")
	return b.done(b.c.DeleteServer(ctx, name))
}

func (b *bench) scale(ctx context.Context, runs int) error {
	name := "bench-scale"
	if err := b.createServer(ctx, name, "B_Standard_B1ms", false); err != nil {
		return err
	}
	skus := []string{"GP_Standard_D2s_v3", "B_Standard_B1ms"}
	var samples []time.Duration
	for i := 0; i < runs; i++ {
		s, err := b.c.GetServer(ctx, name)
		if err != nil {
			return err
		}
		s.SKUName, s.State = skus[i%2], "Ready"
		t0 := time.Now()
		if err := b.done(b.c.PutServer(ctx, name, *s, false)); err != nil {
			return err
		}
		if err := b.firstQuery(ctx, name); err != nil {
			return err
		}
		samples = append(samples, time.Since(t0))
	}
	report("server_scale_to_first_query_median", seconds(median(samples)), "s")
	return b.done(b.c.DeleteServer(ctx, name))
}
