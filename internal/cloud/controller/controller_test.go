package controller

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/clock"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pgfake"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pki"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/fake"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// fakePG records management calls. block makes Connect wait until its context ends (a "hung" start);
// onConnect, when set, runs first and may fail the connection (a PostgreSQL that does not come up).
type fakePG struct {
	mu        sync.Mutex
	calls     []string
	block     bool
	failOn    string
	dataSize  int64
	onConnect func(ctx context.Context) error
	ha        *pgfake.Cluster
}

func (f *fakePG) record(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	if f.failOn != "" && strings.HasPrefix(call, f.failOn) {
		return errors.New("injected failure of " + call)
	}
	return nil
}

func (f *fakePG) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakePG) Connect(ctx context.Context, host string, _ *tls.Config) (Session, error) {
	f.mu.Lock()
	block, hook := f.block, f.onConnect
	f.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return nil, err
		}
	}
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &fakeSession{Session: f.cluster().Session(host), pg: f}, f.record("connect " + host)
}

func (f *fakePG) cluster() *pgfake.Cluster {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ha == nil {
		f.ha = pgfake.New()
	}
	return f.ha
}

func (f *fakePG) Probe(ctx context.Context, host string, tlsConfig *tls.Config) error {
	s, err := f.Connect(ctx, host, tlsConfig)
	if err != nil {
		return err
	}
	return s.Close(ctx)
}

type fakeSession struct {
	*pgfake.Session
	pg *fakePG
}

func (s *fakeSession) EnsureAdmin(_ context.Context, login, verifier string) error {
	return s.pg.record("admin " + login + " " + verifier)
}
func (s *fakeSession) SetPassword(_ context.Context, login, verifier string) error {
	return s.pg.record("password " + login + " " + verifier)
}
func (s *fakeSession) CreateDatabase(_ context.Context, name, charset, collation, owner string) error {
	return s.pg.record("createdb " + name)
}
func (s *fakeSession) DropDatabase(_ context.Context, name string) error {
	return s.pg.record("dropdb " + name)
}
func (s *fakeSession) Reload(context.Context) error { return s.pg.record("reload") }
func (s *fakeSession) Close(context.Context) error  { return nil }
func (s *fakeSession) DataSize(context.Context) (int64, error) {
	s.pg.mu.Lock()
	defer s.pg.mu.Unlock()
	return s.pg.dataSize, nil
}

type fakeImages struct{}

func (fakeImages) Ensure(_ context.Context, major string) (string, error) {
	return "flexpg/postgres:" + major, nil
}

// fakeEndpoints records the host endpoints.
type fakeEndpoints struct {
	mu   sync.Mutex
	eps  map[string]*fakeEndpoint
	port int
}

type fakeEndpoint struct {
	port    int
	backend string
	policy  EndpointPolicy
}

func (f *fakeEndpoints) OpenEndpoint(name string, port int, backend string, p EndpointPolicy) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.eps == nil {
		f.eps = map[string]*fakeEndpoint{}
	}
	f.eps[name] = &fakeEndpoint{port: port, backend: backend, policy: p}
	return nil
}
func (f *fakeEndpoints) get(name string) (*fakeEndpoint, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.eps[name]
	return e, ok
}
func (f *fakeEndpoints) SetBackend(name, backend string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.eps[name]
	if !ok {
		return errors.New("unknown endpoint")
	}
	e.backend = backend
	return nil
}
func (f *fakeEndpoints) SetPolicy(name string, p EndpointPolicy) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.eps[name]
	if !ok {
		return errors.New("unknown endpoint")
	}
	e.policy = p
	return nil
}
func (f *fakeEndpoints) CloseEndpoint(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.eps, name)
	return nil
}

type harness struct {
	t     *testing.T
	dir   string
	store *store.Store
	rt    *fake.Runtime
	pg    *fakePG
	eps   *fakeEndpoints
	ca    *pki.CA
	ctl   *Controller
	clk   clock.Clock
	guard NetworkGuard // nil: no isolation rules
	// pauseAt is the controller's PauseBeforeStep (fault injection for restart tests).
	pauseAt string
}

// restartAt starts a new controller on the same store, runtime and PostgreSQL, whose operations stop
// before step at ("" for none), as a cloud started again would.
func (h *harness) restartAt(at string) {
	h.t.Helper()
	h.pauseAt = at
	h.start()
}

func newHarness(t *testing.T) *harness { t.Helper(); return newHarnessWith(t, nil) }

// newHarnessWith lets edit set harness fields (a guard, say) before the controller starts.
func newHarnessWith(t *testing.T, edit func(*harness)) *harness {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.LoadOrCreateCA(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: dir, store: st, rt: fake.New(), pg: &fakePG{}, eps: &fakeEndpoints{}, ca: ca}
	h.rt.AddImage("flexpg/postgres:15")
	h.pg.cluster().IsStandby = pgfake.StandbyByConfig(h.rt)
	if edit != nil {
		edit(h)
	}
	t.Cleanup(func() {
		h.ctl.Close()
		_ = st.Close()
	})
	h.start()
	return h
}

func (h *harness) start() {
	h.t.Helper()
	port := 20000
	h.ctl = New(Config{
		CloudID: "0123456789abcdef", Store: h.store, Runtime: h.rt, Images: fakeImages{}, Postgres: h.pg,
		Endpoints: h.eps, CA: h.ca, CertDir: filepath.Join(h.dir, "servers"),
		FreePort: func() (int, error) { port++; return port, nil },
		Scale:    spec.DefaultScale, Labels: runtime.Labels{runtime.LabelTest: "unit"},
		ReadyTimeout: 2 * time.Second, Clock: h.clk.Now, Guard: h.guard, PauseBeforeStep: h.pauseAt,
	})
	if err := h.ctl.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// submit stores a server-level operation as the API would and launches it.
func (h *harness) submit(kind, server string, payload any, edit func(tx *store.Tx, op *store.Operation) error) store.Operation {
	h.t.Helper()
	body, _ := json.Marshal(payload)
	op := h.ctl.NewOperation(kind, spec.ServerID(server), server, body)
	if err := h.store.Update(func(tx *store.Tx) error {
		if err := edit(tx, &op); err != nil {
			return err
		}
		return tx.PutOperation(op)
	}); err != nil {
		h.t.Fatal(err)
	}
	h.ctl.Launch(op)
	return op
}

func (h *harness) createServer(name string) store.Operation {
	spec := model.Server{Name: name, Location: "westeurope", Version: "15", SKUName: "B_Standard_B1ms",
		StorageMB: 32768, AdministratorLogin: "pgadmin", State: "Ready"}
	return h.submit(KindServerCreate, name, CreatePayload{Verifier: "SCRAM-SHA-256$verifier"}, func(tx *store.Tx, op *store.Operation) error {
		return tx.PutServer(store.Server{Spec: spec, Phase: store.PhaseProvisioning, ActiveOp: op.ID})
	})
}

// waitOp waits for the operation to leave Running.
func (h *harness) waitOp(id string) store.Operation {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var op store.Operation
		_ = h.store.View(func(tx *store.Tx) error { var err error; op, err = tx.GetOperation(id); return err })
		if op.Status != model.OperationRunning {
			return op
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("operation %s still running", id)
	return store.Operation{}
}

// waitStep waits until the operation has entered the named step.
func (h *harness) waitStep(id, name string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var op store.Operation
		_ = h.store.View(func(tx *store.Tx) error { var err error; op, err = tx.GetOperation(id); return err })
		if op.Step == name {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("operation %s never reached step %s", id, name)
}

func (h *harness) server(name string) (store.Server, error) {
	var s store.Server
	err := h.store.View(func(tx *store.Tx) error { var err error; s, err = tx.GetServer(name); return err })
	return s, err
}

// primary is the server's primary instance (empty when it has none).
func primary(s store.Server) store.Instance {
	if in, ok := s.Primary(); ok {
		return *in
	}
	return store.Instance{}
}

func TestCreateServer(t *testing.T) {
	h := newHarness(t)
	op := h.waitOp(h.createServer("demo").ID)
	if op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	if op.Payload != nil {
		t.Fatal("the payload (password verifier) outlives the operation")
	}
	s, err := h.server("demo")
	if err != nil || s.Phase != store.PhaseReady || s.ActiveOp != "" || s.HostPort == 0 {
		t.Fatalf("server %+v %v", s, err)
	}
	info, err := h.rt.InspectContainer(context.Background(), primary(s).Container)
	if err != nil || !info.Running {
		t.Fatalf("container %+v %v", info, err)
	}
	for k, v := range map[string]string{runtime.LabelManaged: "true", runtime.LabelCloud: "0123456789abcdef",
		runtime.LabelResource: "/flexibleServers/demo", runtime.LabelTest: "unit"} {
		if info.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, info.Labels[k], v)
		}
	}
	wantMem := spec.ScaledCompute(mustSKU(t, "B_Standard_B1ms"), spec.DefaultScale).MemoryBytes
	if info.MemoryByte != wantMem {
		t.Errorf("memory limit %d, want %d", info.MemoryByte, wantMem)
	}
	hba, ok := h.rt.File(primary(s).Container, "/etc/flexpg/pg_hba.conf")
	if !ok || !strings.Contains(string(hba), "azuresu") || !strings.Contains(string(hba), "cert") {
		t.Errorf("pg_hba.conf:\n%s", hba)
	}
	conf, _ := h.rt.File(primary(s).Container, "/etc/flexpg/postgresql.conf")
	if !strings.Contains(string(conf), "max_connections = '50'") {
		t.Errorf("postgresql.conf lacks the SKU-derived max_connections:\n%s", conf)
	}
	if calls := strings.Join(h.pg.Calls(), "\n"); !strings.Contains(calls, "admin pgadmin SCRAM-SHA-256$verifier") {
		t.Errorf("admin not created: %s", calls)
	}
	ep, ok := h.eps.get("demo")
	if !ok || ep.port != s.HostPort || !strings.HasSuffix(ep.backend, ":5432") || len(ep.policy.Allow) != 0 {
		t.Fatalf("endpoint %+v (no firewall rule must mean no access)", ep)
	}
}

func mustSKU(t *testing.T, name string) spec.SKU {
	sku, ok := spec.LookupSKU(name)
	if !ok {
		t.Fatal(name)
	}
	return sku
}

// TestCreateRollsBack: a create that fails leaves nothing: no container, volume, endpoint or record.
func TestCreateRollsBack(t *testing.T) {
	h := newHarness(t)
	h.pg.failOn = "admin"
	op := h.waitOp(h.createServer("demo").ID)
	if op.Status != model.OperationFailed || !strings.Contains(op.Error.Message, "adminRole") {
		t.Fatalf("op %+v %+v", op, op.Error)
	}
	if _, err := h.server("demo"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("server record left behind: %v", err)
	}
	objs, _ := h.rt.List(context.Background(), runtime.Labels{runtime.LabelResource: "/flexibleServers/demo"})
	if len(objs) != 0 {
		t.Fatalf("left behind: %+v", objs)
	}
	if _, ok := h.eps.get("demo"); ok {
		t.Fatal("endpoint left open")
	}
}

// TestCreateResumesAfterCrash: the cloud stops in the middle of a create (PostgreSQL never answered); a new
// controller on the same state resumes the operation from its step and finishes it.
func TestCreateResumesAfterCrash(t *testing.T) {
	h := newHarness(t)
	h.pg.block = true
	id := h.createServer("demo").ID
	h.waitStep(id, "start")
	h.ctl.Close() // the cloud goes away mid-step
	var op store.Operation
	_ = h.store.View(func(tx *store.Tx) error { var err error; op, err = tx.GetOperation(id); return err })
	if op.Status != model.OperationRunning || op.Step != "start" {
		t.Fatalf("after interruption: %+v", op)
	}
	h.pg.mu.Lock()
	h.pg.block = false
	h.pg.mu.Unlock()
	h.start()
	if op := h.waitOp(id); op.Status != model.OperationSucceeded {
		t.Fatalf("resumed create: %+v", op.Error)
	}
	if s, _ := h.server("demo"); s.Phase != store.PhaseReady {
		t.Fatalf("phase %s", s.Phase)
	}
}

func TestFirewallRuleOpensEndpointAndReloads(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	rule := model.FirewallRule{Name: "me", StartIPAddress: "127.0.0.1", EndIPAddress: "127.0.0.1"}
	op := h.submit(KindFirewallPut, "demo", FirewallPayload{Rule: rule}, func(*store.Tx, *store.Operation) error { return nil })
	if op := h.waitOp(op.ID); op.Status != model.OperationSucceeded {
		t.Fatalf("firewall: %+v", op.Error)
	}
	ep, _ := h.eps.get("demo")
	if len(ep.policy.Allow) != 1 || ep.policy.Allow[0] != netip.MustParsePrefix("127.0.0.1/32") || !ep.policy.RequireSecureTransport {
		t.Fatalf("policy %+v", ep.policy)
	}
	calls := h.pg.Calls()
	if calls[len(calls)-1] != "reload" {
		t.Fatalf("pg_hba not reloaded: %v", calls)
	}
	s, _ := h.server("demo")
	hba, _ := h.rt.File(primary(s).Container, "/etc/flexpg/pg_hba.conf")
	if !strings.Contains(string(hba), "127.0.0.1/32") {
		t.Fatalf("pg_hba lacks the rule:\n%s", hba)
	}
}

func TestScaleChangesLimitsAndRestarts(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	s, _ := h.server("demo")
	newSpec := s.Spec
	newSpec.SKUName = "GP_Standard_D2s_v3"
	op := h.submit(KindServerUpdate, "demo", UpdatePayload{Old: s.Spec, New: newSpec, Verifier: "SCRAM-SHA-256$new"},
		func(tx *store.Tx, op *store.Operation) error {
			return updateServer(tx, "demo", func(s *store.Server) { s.ActiveOp = op.ID; s.Phase = store.PhaseUpdating })
		})
	if op := h.waitOp(op.ID); op.Status != model.OperationSucceeded {
		t.Fatalf("update: %+v", op.Error)
	}
	info, _ := h.rt.InspectContainer(context.Background(), primary(s).Container)
	want := spec.ScaledCompute(mustSKU(t, "GP_Standard_D2s_v3"), spec.DefaultScale)
	if info.MemoryByte != want.MemoryBytes || info.NanoCPUs != want.NanoCPUs || !info.Running {
		t.Fatalf("container %+v, want %+v", info, want)
	}
	conf, _ := h.rt.File(primary(s).Container, "/etc/flexpg/postgresql.conf")
	if !strings.Contains(string(conf), "max_connections = '859'") {
		t.Fatalf("derived parameters not re-rendered:\n%s", conf)
	}
	if calls := strings.Join(h.pg.Calls(), "\n"); !strings.Contains(calls, "password pgadmin SCRAM-SHA-256$new") {
		t.Fatalf("password not changed: %s", calls)
	}
	if s, _ := h.server("demo"); s.Spec.SKUName != "GP_Standard_D2s_v3" || s.Phase != store.PhaseReady {
		t.Fatalf("server %+v", s)
	}
}

func TestStopKeepsDataAndDeleteRemovesAll(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	busy := func(tx *store.Tx, op *store.Operation) error {
		return updateServer(tx, "demo", func(s *store.Server) { s.ActiveOp = op.ID })
	}
	if op := h.waitOp(h.submit(KindServerStop, "demo", nil, busy).ID); op.Status != model.OperationSucceeded {
		t.Fatalf("stop: %+v", op.Error)
	}
	s, _ := h.server("demo")
	info, _ := h.rt.InspectContainer(context.Background(), primary(s).Container)
	if info.Running || s.Phase != store.PhaseStopped || s.StoppedAt == nil {
		t.Fatalf("after stop: %+v %+v", s, info)
	}
	if objs, _ := h.rt.List(context.Background(), runtime.Labels{runtime.LabelRole: "data"}); len(objs) != 1 {
		t.Fatalf("volume gone after stop: %+v", objs)
	}
	if op := h.waitOp(h.submit(KindServerDelete, "demo", nil, busy).ID); op.Status != model.OperationSucceeded {
		t.Fatalf("delete: %+v", op.Error)
	}
	objs, _ := h.rt.List(context.Background(), runtime.Labels{runtime.LabelResource: "/flexibleServers/demo"})
	if len(objs) != 0 {
		t.Fatalf("left behind: %+v", objs)
	}
}

func TestStoppedServerStartsItselfAfterSevenDays(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	busy := func(tx *store.Tx, op *store.Operation) error {
		return updateServer(tx, "demo", func(s *store.Server) { s.ActiveOp = op.ID })
	}
	h.waitOp(h.submit(KindServerStop, "demo", nil, busy).ID)
	s, _ := h.server("demo")
	if autoStartDue(s, s.StoppedAt.Add(AutoStartAfter-time.Minute)) {
		t.Fatal("due before seven days")
	}
	if !autoStartDue(s, s.StoppedAt.Add(AutoStartAfter)) {
		t.Fatal("not due after seven days")
	}
	h.ctl.Housekeep() // not yet due on the real clock: nothing happens
	if s, _ := h.server("demo"); s.Phase != store.PhaseStopped || s.ActiveOp != "" {
		t.Fatalf("started early: %+v", s)
	}
	h.clk.Advance(AutoStartAfter + time.Minute)
	h.ctl.Housekeep()
	s, _ = h.server("demo")
	if s.ActiveOp == "" {
		t.Fatal("no start operation after seven days")
	}
	if op := h.waitOp(s.ActiveOp); op.Status != model.OperationSucceeded || op.Kind != KindServerStart {
		t.Fatalf("auto-start: %+v", op)
	}
	info, _ := h.rt.InspectContainer(context.Background(), primary(s).Container)
	if s, _ := h.server("demo"); s.Phase != store.PhaseReady || !info.Running {
		t.Fatalf("after auto-start: %+v running=%v", s, info.Running)
	}
}
