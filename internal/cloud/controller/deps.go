package controller

import (
	"context"
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
)

// ImageSource provides the PostgreSQL image of a major version, building it when it is missing.
type ImageSource interface {
	Ensure(ctx context.Context, major string) (string, error)
}

// Postgres opens management sessions to server instances. The real one speaks pgx over TLS with the
// cloud's client certificate; unit tests use a fake.
type Postgres interface {
	// Connect waits (until ctx's deadline) for the instance at host:5432 to accept a management session.
	Connect(ctx context.Context, host string, tlsConfig *tls.Config) (Session, error)
	// Probe makes one attempt to open and close a management session: the watcher's health check, which
	// must answer at once for an instance that refuses connections rather than wait for it.
	Probe(ctx context.Context, host string, tlsConfig *tls.Config) error
}

// Session is one management connection to an instance, as the cloud's internal superuser.
type Session interface {
	EnsureAdmin(ctx context.Context, login, verifier string) error
	SetPassword(ctx context.Context, login, verifier string) error
	CreateDatabase(ctx context.Context, name, charset, collation, owner string) error
	DropDatabase(ctx context.Context, name string) error
	Reload(ctx context.Context) error
	DataSize(ctx context.Context) (int64, error)
	Close(ctx context.Context) error

	// High availability (see package postgres for each).
	EnsureReplicationRole(ctx context.Context) error
	EnsureSlot(ctx context.Context, slot string) error
	DropSlot(ctx context.Context, slot string) error
	Replication(ctx context.Context) ([]postgres.Replica, postgres.LSN, error)
	Status(ctx context.Context) (postgres.Status, error)
	Promote(ctx context.Context, wait time.Duration) error
	TerminateClients(ctx context.Context) (int, error)
	Checkpoint(ctx context.Context) error
	WaitReplayed(ctx context.Context, lsn postgres.LSN) error

	// Backups (see package postgres, archive.go).
	SealArchive(ctx context.Context) (postgres.ArchivePoint, error)
	ArchivedFile(ctx context.Context) (string, error)
	DatabaseNames(ctx context.Context) ([]string, error)

	// Read replicas.
	ReplicaSlotLags(ctx context.Context) ([]postgres.SlotLag, error)
	ReplayLagSeconds(ctx context.Context) (*float64, error)
}

// Endpoints is the host-side gateway as the controller uses it.
type Endpoints interface {
	OpenEndpoint(name string, port int, backend string, policy EndpointPolicy) error
	SetBackend(name, backend string) error
	SetPolicy(name string, policy EndpointPolicy) error
	CloseEndpoint(name string) error
}

// NetworkGuard enforces VNet isolation on this machine (see cloud/netguard).
type NetworkGuard interface {
	Apply(ctx context.Context, vnets []netguard.VNet) error
}

// Resolver is the cloud's DNS server as the controller uses it: it listens on each subnet's gateway.
type Resolver interface {
	Listen(addr netip.AddrPort) error
	Unlisten(addr netip.AddrPort) error
}
