// Package daemon assembles the simulated cloud: state, CA, container runtime, gateway, controller and HTTP
// API. `cloud serve` runs one in the foreground; tests run one in process on a free port.
package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/api"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/clock"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/dns"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/gateway"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/docker"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Config of one cloud.
type Config struct {
	Home    string         // state directory; one cloud per home (the state file is locked)
	Addr    string         // API listen address, loopback; "127.0.0.1:0" picks a free port
	Labels  runtime.Labels // extra labels on every engine object (tests mark what they create)
	Version string
	Build   string // identity of the binary (buildid.Of); health reports it so clients can detect skew
	Logger  *slog.Logger
	Scale   *spec.Scale // nil = spec.DefaultScale
	// PauseBeforeStep is fault injection for crash tests (see controller.Config).
	PauseBeforeStep string
}

// Daemon is a running cloud.
type Daemon struct {
	cfg     Config
	store   *store.Store
	ctl     *controller.Controller
	gw      *gateway.Gateway
	rt      *docker.Runtime
	http    *http.Server
	ln      net.Listener
	cloudID string
	token   string
	clock   clock.Clock
	dns     *dns.Server
	guard   *netguard.Guard
}

// Start brings the cloud up: it resumes unfinished operations, reopens host endpoints and serves the API.
func Start(ctx context.Context, cfg Config) (*Daemon, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Addr == "" {
		cfg.Addr = local.DefaultAddr
	}
	scale := spec.DefaultScale
	if cfg.Scale != nil {
		scale = *cfg.Scale
	}
	if err := os.MkdirAll(cfg.Home, 0o700); err != nil {
		return nil, err
	}
	d := &Daemon{cfg: cfg}
	ok := false
	defer func() {
		if !ok {
			d.closeParts()
		}
	}()
	var err error
	if d.store, err = store.Open(filepath.Join(cfg.Home, "state.db")); err != nil {
		return nil, err
	}
	if d.cloudID, d.token, err = identity(d.store); err != nil {
		return nil, err
	}
	ca, err := pki.LoadOrCreateCA(filepath.Join(cfg.Home, "ca"))
	if err != nil {
		return nil, err
	}
	if d.rt, err = docker.New(ctx); err != nil {
		return nil, err
	}
	log := cfg.Logger.With("cloud", d.cloudID[:8])
	d.gw = gateway.New(log.With("component", "gateway"))
	d.gw.SetDialControl(netguard.MarkControl) // the isolation rules let only marked sockets reach servers
	if d.guard, err = netguard.New(ctx, d.cloudID[:8], log.With("component", "netguard")); err != nil {
		return nil, fmt.Errorf("network isolation rules: %w", err)
	}
	resolver := &lazyView{}
	d.dns = dns.New(resolver, log.With("component", "dns"))
	d.ctl = controller.New(controller.Config{
		CloudID:   d.cloudID,
		Store:     d.store,
		Runtime:   d.rt,
		Images:    imageSource{cli: d.rt.Client(), progress: func(f string, a ...any) { log.Info("image: " + fmt.Sprintf(f, a...)) }},
		Postgres:  pgAdmin{},
		Endpoints: endpoints{g: d.gw},
		Guard:     d.guard,
		DNS:       d.dns,
		CA:        ca,
		CertDir:   filepath.Join(cfg.Home, "servers"),
		FreePort:  func() (int, error) { return gateway.FreePort("127.0.0.1") },
		Scale:     scale,
		Labels:    cfg.Labels,
		Logger:    log.With("component", "controller"),
		Clock:     d.clock.Now,
		WallTime:  d.clock.WallTime,

		PauseBeforeStep: cfg.PauseBeforeStep,
	})
	resolver.set(d.ctl)
	if err := d.ctl.Start(ctx); err != nil {
		return nil, err
	}
	handler := api.New(api.Config{
		CloudID: d.cloudID, Version: cfg.Version, Build: cfg.Build, Token: d.token, Store: d.store, Ops: d.ctl,
		CAPEM: ca.CertPEM(), Scale: scale, Logger: log.With("component", "api"), Status: d.Status,
		AdvanceClock: d.clock.Advance,
		Clock:        d.clock.Now,
		WallTime:     d.clock.WallTime,
	})
	if d.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	d.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := d.http.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("api server stopped", "err", err)
		}
	}()
	if err := local.WriteInfo(cfg.Home, d.Info()); err != nil {
		return nil, err
	}
	log.Info("cloud ready", "endpoint", d.Endpoint(), "home", cfg.Home)
	ok = true
	return d, nil
}

// Info is how clients reach this cloud.
func (d *Daemon) Info() local.Info {
	return local.Info{Endpoint: d.Endpoint(), Token: d.token, CloudID: d.cloudID, PID: os.Getpid(), Build: d.cfg.Build}
}

// Endpoint is the API base URL.
func (d *Daemon) Endpoint() string { return "http://" + d.ln.Addr().String() }

// Token is the API bearer token.
func (d *Daemon) Token() string { return d.token }

// CloudID identifies this cloud; every engine object it owns carries it as a label.
func (d *Daemon) CloudID() string { return d.cloudID }

// Runtime is the engine the cloud uses (status reports and test sweeps).
func (d *Daemon) Runtime() *docker.Runtime { return d.rt }

// Close stops serving. Running operations stop where they are and resume on the next start; servers keep
// running (their host endpoints come back with the cloud).
func (d *Daemon) Close() error {
	if d.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = d.http.Shutdown(ctx)
		cancel()
	}
	_ = local.RemoveInfo(d.cfg.Home)
	d.closeParts()
	return nil
}

func (d *Daemon) closeParts() {
	if d.ctl != nil {
		d.ctl.Close()
	}
	if d.gw != nil {
		d.gw.CloseAll()
	}
	if d.dns != nil {
		d.dns.Close()
	}
	if d.store != nil {
		_ = d.store.Close()
	}
}

// identity returns the cloud's ID and API token, creating them on first start.
func identity(s *store.Store) (id, token string, err error) {
	err = s.Update(func(tx *store.Tx) error {
		if id, err = getOrCreate(tx, "cloud_id", 16); err != nil {
			return err
		}
		token, err = getOrCreate(tx, "token", 32)
		return err
	})
	return id, token, err
}

func getOrCreate(tx *store.Tx, key string, n int) (string, error) {
	v, err := tx.GetMeta(key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	v = hex.EncodeToString(b)
	return v, tx.PutMeta(key, v)
}
