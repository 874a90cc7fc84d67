package memcloud

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/pgfake"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/fake"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Method names a management call of the controller on an instance.
type Method string

// The calls of controller.Postgres and controller.Session that Postgres records.
const (
	MethodConnect        Method = "Connect"
	MethodEnsureAdmin    Method = "EnsureAdmin"
	MethodSetPassword    Method = "SetPassword"
	MethodCreateDatabase Method = "CreateDatabase"
	MethodDropDatabase   Method = "DropDatabase"
	MethodReload         Method = "Reload"
	MethodDataSize       Method = "DataSize"
)

// Call is one management call, with the arguments that matter to tests.
type Call struct {
	Method    Method
	Server    string // the server the session is for
	Login     string // EnsureAdmin, SetPassword; the owner for CreateDatabase
	Verifier  string // EnsureAdmin, SetPassword: the SCRAM verifier, never a password
	Database  string // CreateDatabase, DropDatabase
	Charset   string // CreateDatabase
	Collation string // CreateDatabase
}

// Postgres stands in for PostgreSQL behind every instance: sessions open at once and every call succeeds and
// is recorded, unless a test injected a failure (FailNext) or holds the server's instances (Hold).
type Postgres struct {
	mu       sync.Mutex
	calls    []Call
	faults   map[Method][]error
	holds    map[string]chan struct{} // server -> closed on release
	dataSize map[string]int64         // server -> bytes DataSize reports
	ha       *pgfake.Cluster
}

var _ controller.Postgres = (*Postgres)(nil)

func newPostgres(rt *fake.Runtime) *Postgres {
	ha := pgfake.New()
	ha.IsStandby = pgfake.StandbyByConfig(rt) // replicas and standbys report themselves in recovery
	return &Postgres{faults: map[Method][]error{}, holds: map[string]chan struct{}{}, dataSize: map[string]int64{}, ha: ha}
}

// FailNext makes the next call of method (on any server) fail with err. Several failures queue up.
func (p *Postgres) FailNext(method Method, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[method] = append(p.faults[method], err)
}

// Hold makes the server's instances stop answering: Connect waits until release is called or the
// operation gives up (its ready timeout, or the cloud stopping). It models an instance slow to come up,
// so an operation on the server stays running, and the server busy, for as long as the test wants.
func (p *Postgres) Hold(server string) (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gate := make(chan struct{})
	p.holds[server] = gate
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			close(gate)
			if p.holds[server] == gate {
				delete(p.holds, server)
			}
		})
	}
}

func (p *Postgres) releaseAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for server, gate := range p.holds {
		close(gate)
		delete(p.holds, server)
	}
}

// SetDataSize sets what DataSize reports for the server's data directory.
func (p *Postgres) SetDataSize(server string, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dataSize[server] = bytes
}

// Calls returns the recorded calls of method on server, in order.
func (p *Postgres) Calls(method Method, server string) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Call
	for _, c := range p.calls {
		if c.Method == method && c.Server == server {
			out = append(out, c)
		}
	}
	return out
}

// Verifiers returns the admin password verifiers the server received (EnsureAdmin and SetPassword), in order.
func (p *Postgres) Verifiers(server string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, c := range p.calls {
		if c.Server == server && (c.Method == MethodEnsureAdmin || c.Method == MethodSetPassword) {
			out = append(out, c.Verifier)
		}
	}
	return out
}

// ErrPasswords is the error of CheckPasswords.
var ErrPasswords = errors.New("memcloud: the admin passwords the server received are not the expected ones")

// CheckPasswords checks that the server received exactly the admin passwords want, in order: each recorded
// verifier must verify the password at its position. Its errors never contain a password.
func (p *Postgres) CheckPasswords(server string, want ...string) error {
	got := p.Verifiers(server)
	if len(got) != len(want) {
		return fmt.Errorf("%w: %s received %d, want %d", ErrPasswords, server, len(got), len(want))
	}
	for i, v := range got {
		ok, err := postgres.VerifySCRAM(v, want[i])
		if err != nil {
			return fmt.Errorf("%w: verifier %d of %s: %w", ErrPasswords, i+1, server, err)
		}
		if !ok {
			return fmt.Errorf("%w: password %d of %s is another one", ErrPasswords, i+1, server)
		}
	}
	return nil
}

// record stores the call and returns the failure injected for its method, if any.
func (p *Postgres) record(c Call) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
	if q := p.faults[c.Method]; len(q) > 0 {
		p.faults[c.Method] = q[1:]
		return q[0]
	}
	return nil
}

// Connect opens a session to the instance of the server the management TLS configuration verifies.
func (p *Postgres) Connect(ctx context.Context, host string, tlsConfig *tls.Config) (controller.Session, error) {
	if tlsConfig == nil {
		return nil, errors.New("memcloud: a management session needs the cloud's TLS configuration")
	}
	server := strings.TrimSuffix(tlsConfig.ServerName, "."+spec.DNSSuffix)
	p.mu.Lock()
	gate := p.holds[server]
	p.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, fmt.Errorf("memcloud: instance of %s at %s is held: %w", server, host, ctx.Err())
		}
	}
	if err := p.record(Call{Method: MethodConnect, Server: server}); err != nil {
		return nil, err
	}
	return &session{Session: p.ha.Session(host), pg: p, server: server}, nil
}

// Probe succeeds like a session that opens and closes (a held server's probe waits like Connect).
func (p *Postgres) Probe(ctx context.Context, host string, tlsConfig *tls.Config) error {
	s, err := p.Connect(ctx, host, tlsConfig)
	if err != nil {
		return err
	}
	return s.Close(ctx)
}

// session is one management session; its calls are recorded on the Postgres that opened it. The
// high-availability calls go to a fake replication cluster.
type session struct {
	*pgfake.Session
	pg     *Postgres
	server string
}

func (s *session) EnsureAdmin(_ context.Context, login, verifier string) error {
	return s.pg.record(Call{Method: MethodEnsureAdmin, Server: s.server, Login: login, Verifier: verifier})
}

func (s *session) SetPassword(_ context.Context, login, verifier string) error {
	return s.pg.record(Call{Method: MethodSetPassword, Server: s.server, Login: login, Verifier: verifier})
}

func (s *session) CreateDatabase(_ context.Context, name, charset, collation, owner string) error {
	return s.pg.record(Call{Method: MethodCreateDatabase, Server: s.server, Database: name, Charset: charset,
		Collation: collation, Login: owner})
}

func (s *session) DropDatabase(_ context.Context, name string) error {
	return s.pg.record(Call{Method: MethodDropDatabase, Server: s.server, Database: name})
}

func (s *session) Reload(context.Context) error {
	return s.pg.record(Call{Method: MethodReload, Server: s.server})
}

func (s *session) DataSize(context.Context) (int64, error) {
	if err := s.pg.record(Call{Method: MethodDataSize, Server: s.server}); err != nil {
		return 0, err
	}
	s.pg.mu.Lock()
	defer s.pg.mu.Unlock()
	return s.pg.dataSize[s.server], nil
}

func (s *session) Close(context.Context) error { return nil }
