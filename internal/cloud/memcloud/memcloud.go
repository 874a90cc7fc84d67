// Package memcloud is the cloud with an in-memory engine: the real API, controller and store, running over
// runtime/fake instead of Docker, with a fake PostgreSQL management side, fake host endpoints and a fake
// image source. Tests of the provider and of the cloud's own logic use it to see the cloud's real
// validation, defaults, operations and errors without Docker, in milliseconds.
//
// Everything a test may want to change behind the API's back goes through the real mechanisms: a fault of
// the engine (Runtime().FailNext), of PostgreSQL (Postgres().FailNext, Postgres().Hold), a full disk the
// storage guard acts on (FillStorage, Housekeep), or a request of another API user (Client).
package memcloud

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/api"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/clock"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/fake"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// firstPort is the first host port the cloud hands out. The fake endpoints never listen, so the numbers
// only have to be distinct within one cloud.
const firstPort = 50001

// readyTimeout bounds how long an operation waits for a held instance (Postgres().Hold) to answer.
const readyTimeout = time.Minute

// Cloud is one running in-memory cloud. It stops when the test that made it ends.
type Cloud struct {
	cloudID string
	token   string
	scale   spec.Scale
	caPEM   []byte

	store     *store.Store
	rt        *fake.Runtime
	pg        *Postgres
	endpoints *Endpoints
	ctl       *controller.Controller
	clock     clock.Clock
	srv       *httptest.Server
	refusals  refusals
	client    *client.Client

	portMu   sync.Mutex
	nextPort int
}

// New starts a cloud for t: state in t.TempDir(), the API on a loopback httptest server. The cloud's log
// goes to t.Log, so a failing test shows what the cloud did.
func New(t testing.TB) *Cloud {
	t.Helper()
	dir := t.TempDir()
	rt := fake.New()
	c := &Cloud{
		cloudID:   randomHex(8),
		token:     randomHex(16),
		scale:     spec.DefaultScale,
		rt:        rt,
		pg:        newPostgres(rt),
		endpoints: newEndpoints(),
		nextPort:  firstPort,
	}
	st, err := store.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatalf("memcloud: open the store: %v", err)
	}
	c.store = st
	ca, err := pki.LoadOrCreateCA(filepath.Join(dir, "ca"))
	if err != nil {
		_ = st.Close()
		t.Fatalf("memcloud: create the CA: %v", err)
	}
	c.caPEM = ca.CertPEM()
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil)).With("cloud", c.cloudID)
	c.ctl = controller.New(controller.Config{
		CloudID:      c.cloudID,
		Store:        st,
		Runtime:      c.rt,
		Images:       images{rt: c.rt},
		Postgres:     c.pg,
		Endpoints:    c.endpoints,
		CA:           ca,
		CertDir:      filepath.Join(dir, "servers"),
		FreePort:     c.freePort,
		Scale:        c.scale,
		Labels:       runtime.Labels{runtime.LabelTest: "memcloud"},
		Logger:       log.With("component", "controller"),
		Clock:        c.clock.Now,
		WallTime:     c.clock.WallTime,
		ReadyTimeout: readyTimeout,
	})
	if err := c.ctl.Start(context.Background()); err != nil {
		_ = st.Close()
		t.Fatalf("memcloud: start the controller: %v", err)
	}
	handler := api.New(api.Config{
		CloudID: c.cloudID, Version: "memcloud", Token: c.token, Store: st, Ops: c.ctl, CAPEM: c.caPEM,
		Scale: c.scale, Logger: log.With("component", "api"), AdvanceClock: c.clock.Advance,
		Clock: c.clock.Now, WallTime: c.clock.WallTime,
	})
	c.srv = httptest.NewServer(c.refusals.record(handler))
	c.client = client.New(c.srv.URL, c.token, client.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	t.Cleanup(c.close)
	return c
}

// close stops serving, then stops the operations (they would resume on a restart; there is none), then
// closes the store. Held instances are let go, so no operation waits for its timeout.
func (c *Cloud) close() {
	c.srv.Close()
	c.pg.releaseAll()
	c.ctl.Close()
	_ = c.store.Close()
}

func (c *Cloud) freePort() (int, error) {
	c.portMu.Lock()
	defer c.portMu.Unlock()
	p := c.nextPort
	c.nextPort++
	return p, nil
}

// Endpoint is the API base URL, for the provider's endpoint.
func (c *Cloud) Endpoint() string { return c.srv.URL }

// Token is the API bearer token, for the provider's token.
func (c *Cloud) Token() string { return c.token }

// Client is a client of the API that polls operations quickly: another user of the cloud.
func (c *Cloud) Client() *client.Client { return c.client }

// CACertPEM is the certificate of the cloud's CA, as the API serves it.
func (c *Cloud) CACertPEM() []byte { return c.caPEM }

// Runtime is the in-memory engine (FailNext, Calls, InspectContainer, ...).
func (c *Cloud) Runtime() *fake.Runtime { return c.rt }

// Postgres is the fake management side of every instance.
func (c *Cloud) Postgres() *Postgres { return c.pg }

// Endpoints are the host endpoints the cloud opened.
func (c *Cloud) Endpoints() *Endpoints { return c.endpoints }

// Store is the cloud's durable state, for reading what the API does not show. Change it only as the
// cloud itself would.
func (c *Cloud) Store() *store.Store { return c.store }

// Container is the engine name of a server's container.
func (c *Cloud) Container(server string) string { return c.ctl.ContainerName(server) }

// Housekeep runs the cloud's periodic work now: auto-start of long-stopped servers and the storage guard.
func (c *Cloud) Housekeep() { c.ctl.Housekeep() }

// Server reads a server's record.
func (c *Cloud) Server(name string) (store.Server, error) {
	var s store.Server
	err := c.store.View(func(tx *store.Tx) error {
		var err error
		s, err = tx.GetServer(name)
		return err
	})
	return s, err
}

// FillStorage makes the server's data use fraction of its storage capacity, as the storage guard measures
// it; Housekeep then lets the guard act (grow the disk with auto-grow, or make the server read-only).
func (c *Cloud) FillStorage(server string, fraction float64) error {
	s, err := c.Server(server)
	if err != nil {
		return fmt.Errorf("memcloud: fill storage of %s: %w", server, err)
	}
	c.pg.SetDataSize(server, int64(fraction*float64(spec.StorageCapacityBytes(s.Spec.StorageMB, c.scale))))
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Errorf("crypto/rand: %w", err))
	}
	return hex.EncodeToString(b)
}

// testWriter sends the cloud's log lines to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
