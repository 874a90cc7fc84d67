// Package controller carries out the cloud's operations as explicit, durable step lists: create, update
// (scale, storage, password, power state), start, stop, restart and delete of servers, and the changes of
// their firewall rules, parameters and databases. It decides and sequences; PostgreSQL knowledge lives in
// cloud/postgres, engine access in cloud/runtime, host endpoints in cloud/gateway.
package controller

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Config wires a controller.
type Config struct {
	CloudID   string
	Store     *store.Store
	Runtime   runtime.Runtime
	Images    ImageSource
	Postgres  Postgres
	Endpoints Endpoints
	Guard     NetworkGuard // nil: no VNet isolation rules (unit tests)
	DNS       Resolver     // nil: no private DNS (unit tests)
	CA        *pki.CA
	CertDir   string // where server certificates are kept
	FreePort  func() (int, error)
	Scale     spec.Scale // how SKUs map onto this machine
	Labels    runtime.Labels
	Logger    *slog.Logger
	Clock     func() time.Time
	// WallTime turns a time of Clock back into the machine's wall time (nil: the same time), which
	// PostgreSQL's commit timestamps are in.
	WallTime func(time.Time) time.Time
	// ReadyTimeout bounds how long a starting instance may take to accept connections.
	ReadyTimeout time.Duration
	// PauseBeforeStep is fault injection for crash tests: an operation that reaches a step of this name
	// waits there until the cloud stops, so a test can kill the cloud at an exact point.
	PauseBeforeStep string
}

// Controller runs operations.
type Controller struct {
	cfg   Config
	store *store.Store
	log   *slog.Logger
	kinds map[string]func(store.Operation) (plan, error)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	netMu sync.Mutex
	net   *runtime.NetworkInfo

	mgmt     mgmtCert
	locks    serverLocks
	spares   spareFills
	watching watchState
	repl     replCert
	backups  backupStores
	// networkOps runs network operations one at a time: they share the machine's isolation rules and the
	// resolver, which each of them rewrites from the whole store.
	networkOps sync.Mutex
}

// New builds a controller; Start begins work.
func New(cfg Config) *Controller {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 2 * time.Minute
	}
	c := &Controller{cfg: cfg, store: cfg.Store, log: cfg.Logger}
	c.backups.kick = make(chan struct{}, 1)
	c.kinds = map[string]func(store.Operation) (plan, error){
		KindServerCreate:   c.planServerCreate,
		KindServerUpdate:   c.planServerUpdate,
		KindServerDelete:   c.planServerDelete,
		KindServerStart:    c.planServerStart,
		KindServerStop:     c.planServerStop,
		KindServerRestart:  c.planServerRestart,
		KindServerRecover:  c.planServerRecover,
		KindServerFailover: c.planServerFailover,
		KindStandbyRepair:  c.planStandbyRepair,
		KindReplicaCreate:  c.planReplicaCreate,
		KindReplicaPromote: c.planReplicaPromote,

		KindServerBackup:  c.planServerBackup,
		KindServerRestore: c.planServerRestore,

		KindVirtualEndpointPut:    c.planVirtualEndpointPut,
		KindVirtualEndpointDelete: c.planVirtualEndpointDelete,
		KindFirewallPut:           c.planFirewallPut,
		KindFirewallDelete:        c.planFirewallDelete,
		KindConfigurationPut:      c.planConfigurationPut,
		KindDatabasePut:           c.planDatabasePut,
		KindDatabaseDelete:        c.planDatabaseDelete,

		KindVirtualNetworkPut:    c.planVirtualNetworkPut,
		KindVirtualNetworkDelete: c.planVirtualNetworkDelete,
		KindSubnetPut:            c.planSubnetPut,
		KindSubnetDelete:         c.planSubnetDelete,
		KindZonePut:              c.planZonePut,
		KindZoneDelete:           c.planZoneDelete,
		KindLinkPut:              c.planLinkPut,
		KindLinkDelete:           c.planLinkDelete,
	}
	return c
}

func (c *Controller) now() time.Time { return c.cfg.Clock().UTC() }

// Start reconciles what exists with the durable state and resumes every operation a previous run of the
// cloud left unfinished.
func (c *Controller) Start(ctx context.Context) error {
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if _, err := c.publicNetwork(ctx); err != nil {
		return err
	}
	if err := c.restoreNetworks(ctx); err != nil {
		return err
	}
	if err := c.restoreEndpoints(ctx); err != nil {
		return err
	}
	if err := c.sweepSpares(ctx); err != nil {
		c.log.Warn("clean up spare data volumes", "err", err) // the cloud works without them
	}
	var pending []store.Operation
	err := c.store.View(func(tx *store.Tx) error {
		ops, err := tx.ListOperations()
		for _, op := range ops {
			if op.Status == model.OperationRunning {
				pending = append(pending, op)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, op := range pending {
		c.log.Info("resuming operation", "op", op.ID, "kind", op.Kind, "step", op.Step)
		c.launch(op)
	}
	c.wg.Add(3)
	go c.every(housekeepingInterval, c.Housekeep)
	go c.watchLoop()
	go c.backupLoop()
	return nil
}

// Close stops running operations where they are (they resume on the next start) and waits for them.
func (c *Controller) Close() {
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
}

// launch runs an operation: a server's operations one at a time, network operations one at a time. A full
// backup is the exception: it only reads the primary, so a failover or a firewall rule never waits for one
// (a backup whose primary goes away fails, discards what it wrote, and is taken again when next due).
func (c *Controller) launch(op store.Operation) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		switch {
		case op.Kind == KindServerBackup: // no lock
		case op.Server != "":
			defer c.locks.lock(op.Server)()
		default:
			c.networkOps.Lock()
			defer c.networkOps.Unlock()
		}
		c.execute(c.ctx, op)
	}()
}

// NewOperation builds a Running operation record. The API stores it in the same transaction as the change
// it carries out and then calls Launch.
func (c *Controller) NewOperation(kind, resourceID, server string, payload []byte) store.Operation {
	return store.Operation{
		Operation: model.Operation{
			ID:         newID(),
			Kind:       kind,
			ResourceID: resourceID,
			Status:     model.OperationRunning,
			Step:       stepQueued,
			StartedAt:  c.now(),
		},
		Server:  server,
		Payload: payload,
	}
}

// Launch starts a stored operation.
func (c *Controller) Launch(op store.Operation) {
	if c.ctx == nil || c.ctx.Err() != nil {
		return // shutting down: the operation is durable and resumes on the next start
	}
	c.launch(op)
}

// Wait blocks until no operation is running (tests and orderly shutdown).
func (c *Controller) Wait() { c.wg.Wait() }

func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Errorf("crypto/rand: %w", err))
	}
	return hex.EncodeToString(b[:])
}
