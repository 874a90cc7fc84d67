package daemon

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/docker/docker/client"
	"github.com/jackc/pgx/v5"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/gateway"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/images"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
)

// imageSource builds images on demand and logs the build's progress.
type imageSource struct {
	cli      *client.Client
	progress images.Progress
}

func (s imageSource) Ensure(ctx context.Context, major string) (string, error) {
	return images.Ensure(ctx, s.cli, major, s.progress)
}

// pgAdmin opens management sessions with pgx.
type pgAdmin struct{}

func (pgAdmin) Connect(ctx context.Context, host string, tlsConfig *tls.Config) (controller.Session, error) {
	dial := netguard.ManagementDialer(5 * time.Second).DialContext
	conn, err := postgres.WaitReady(ctx, postgres.Target{Host: host, Port: 5432, TLS: tlsConfig, Dial: dial})
	if err != nil {
		return nil, err
	}
	return pgSession{conn: conn}, nil
}

func (pgAdmin) Probe(ctx context.Context, host string, tlsConfig *tls.Config) error {
	dial := netguard.ManagementDialer(5 * time.Second).DialContext
	conn, err := postgres.Connect(ctx, postgres.Target{Host: host, Port: 5432, TLS: tlsConfig, Dial: dial})
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

type pgSession struct{ conn *pgx.Conn }

func (s pgSession) EnsureAdmin(ctx context.Context, login, verifier string) error {
	return postgres.EnsureAdminRoleVerifier(ctx, s.conn, login, verifier)
}
func (s pgSession) SetPassword(ctx context.Context, login, verifier string) error {
	return postgres.SetPasswordVerifier(ctx, s.conn, login, verifier)
}
func (s pgSession) CreateDatabase(ctx context.Context, name, charset, collation, owner string) error {
	return postgres.CreateDatabase(ctx, s.conn, name, charset, collation, owner)
}
func (s pgSession) DropDatabase(ctx context.Context, name string) error {
	return postgres.DropDatabase(ctx, s.conn, name)
}
func (s pgSession) Reload(ctx context.Context) error { return postgres.Reload(ctx, s.conn) }
func (s pgSession) DataSize(ctx context.Context) (int64, error) {
	return postgres.DataSize(ctx, s.conn)
}
func (s pgSession) Close(ctx context.Context) error { return s.conn.Close(ctx) }
func (s pgSession) EnsureReplicationRole(ctx context.Context) error {
	return postgres.EnsureReplicationRole(ctx, s.conn)
}
func (s pgSession) EnsureSlot(ctx context.Context, slot string) error {
	return postgres.EnsurePhysicalSlot(ctx, s.conn, slot)
}
func (s pgSession) DropSlot(ctx context.Context, slot string) error {
	return postgres.DropPhysicalSlot(ctx, s.conn, slot)
}
func (s pgSession) Replication(ctx context.Context) ([]postgres.Replica, postgres.LSN, error) {
	return postgres.ReplicationStatus(ctx, s.conn)
}
func (s pgSession) ReplicaSlotLags(ctx context.Context) ([]postgres.SlotLag, error) {
	return postgres.ReplicaSlotLags(ctx, s.conn)
}
func (s pgSession) SealArchive(ctx context.Context) (postgres.ArchivePoint, error) {
	return postgres.SealArchive(ctx, s.conn)
}
func (s pgSession) ArchivedFile(ctx context.Context) (string, error) {
	last, _, _, err := postgres.ArchivedFile(ctx, s.conn)
	return last, err
}
func (s pgSession) DatabaseNames(ctx context.Context) ([]string, error) {
	return postgres.DatabaseNames(ctx, s.conn)
}
func (s pgSession) ReplayLagSeconds(ctx context.Context) (*float64, error) {
	return postgres.ReplayLagSeconds(ctx, s.conn)
}
func (s pgSession) Status(ctx context.Context) (postgres.Status, error) {
	return postgres.InstanceStatus(ctx, s.conn)
}
func (s pgSession) Promote(ctx context.Context, wait time.Duration) error {
	return postgres.Promote(ctx, s.conn, wait)
}
func (s pgSession) TerminateClients(ctx context.Context) (int, error) {
	return postgres.TerminateClientBackends(ctx, s.conn)
}
func (s pgSession) Checkpoint(ctx context.Context) error { return postgres.Checkpoint(ctx, s.conn) }
func (s pgSession) WaitReplayed(ctx context.Context, lsn postgres.LSN) error {
	return postgres.WaitReplayed(ctx, s.conn, lsn)
}

// endpoints adapts the gateway to the controller.
type endpoints struct{ g *gateway.Gateway }

func policy(p controller.EndpointPolicy) gateway.Policy {
	return gateway.Policy{Allow: p.Allow, RequireSecureTransport: p.RequireSecureTransport, RefusalTLS: p.RefusalTLS}
}

func (e endpoints) OpenEndpoint(name string, port int, backend string, p controller.EndpointPolicy) error {
	_, err := e.g.Open(gateway.Endpoint{Name: name, Listen: fmt.Sprintf("127.0.0.1:%d", port), Backend: backend, Policy: policy(p)})
	return err
}
func (e endpoints) SetBackend(name, backend string) error { return e.g.SetBackend(name, backend) }
func (e endpoints) SetPolicy(name string, p controller.EndpointPolicy) error {
	return e.g.SetPolicy(name, policy(p))
}
func (e endpoints) CloseEndpoint(name string) error {
	err := e.g.Close(name)
	if errorsIsUnknown(err) {
		return nil
	}
	return err
}
