// Package runtime is the cloud's view of the container engine: images, networks, volumes and containers,
// every one of them carrying ownership labels. The controller only talks to this interface, so its decisions
// can be tested against the in-memory fake in runtime/fake, and the Docker implementation lives in runtime/docker.
package runtime

import (
	"context"
	"errors"
	"io"
	"time"
)

// Label keys stamped on everything the cloud creates. A sweeper finds leftovers by LabelManaged; ownership is
// decided by LabelCloud (which cloud instance) and LabelResource (which resource of that cloud).
const (
	LabelManaged  = "io.flexpg.managed"  // always "true"
	LabelCloud    = "io.flexpg.cloud"    // the cloud instance ID that owns the object
	LabelResource = "io.flexpg.resource" // the owning resource ID, e.g. /flexibleServers/demo
	LabelRole     = "io.flexpg.role"     // what the object is for: server, data, network, client, ...
	LabelTest     = "io.flexpg.test"     // set by tests, so a sweep can find what a test run created
)

// ErrNotFound is returned (wrapped) when the named object does not exist. Implementations classify the
// engine's own not-found errors into it, so callers use errors.Is and never look at message text.
var ErrNotFound = errors.New("runtime: object not found")

// ErrConflict is returned (wrapped) when an object with the name already exists with a different definition.
var ErrConflict = errors.New("runtime: object already exists")

// Labels are the key/value labels on an engine object.
type Labels map[string]string

// Kind tells which kind of engine object an Object is.
type Kind string

const (
	KindContainer Kind = "container"
	KindVolume    Kind = "volume"
	KindNetwork   Kind = "network"
)

// Object is one labelled engine object, as listed by List.
type Object struct {
	Kind   Kind
	Name   string
	Labels Labels
}

// NetworkSpec describes a bridge network. Subnet may be empty to let the engine choose one.
// Networks are always ordinary local bridges with an address on this host (never inhibit_ipv4): packets to
// a subnet without a local route would leave the machine.
type NetworkSpec struct {
	Name   string
	Subnet string // CIDR, optional
	Labels Labels
}

// NetworkInfo is what Inspect reports about a network.
type NetworkInfo struct {
	ID      string
	Name    string
	Subnet  string // CIDR
	Gateway string // the host's address on the bridge
	Bridge  string // host interface name, e.g. br-0123456789ab
	Labels  Labels
}

// VolumeSpec describes a named volume.
type VolumeSpec struct {
	Name   string
	Labels Labels
}

// Mount attaches a named volume to a container path.
type Mount struct {
	Volume string
	Target string
}

// File is one file to place into a container before it starts (or while it runs).
type File struct {
	Path    string // absolute path inside the container
	Mode    int64  // e.g. 0o600
	UID     int
	GID     int
	Content []byte
}

// ContainerSpec describes a container. Creation does not start it.
// NoNetwork as a ContainerSpec's Network gives the container no network at all (only loopback): for
// throwaway work that talks to nobody, such as filling a volume.
const NoNetwork = "none"

type ContainerSpec struct {
	Name       string
	Image      string
	Hostname   string
	Cmd        []string
	Env        []string
	Labels     Labels
	Network    string   // network to attach at creation
	Aliases    []string // DNS aliases on that network
	IPv4       string   // optional fixed address on that network
	DNS        []string // optional resolvers for the container
	Mounts     []Mount
	NanoCPUs   int64 // 0 = unlimited
	MemoryByte int64 // 0 = unlimited
	CapAdd     []string
	AutoRemove bool
	StopSignal string // default SIGTERM; PostgreSQL containers use SIGINT (fast shutdown)
}

// ContainerInfo is what Inspect reports about a container.
type ContainerInfo struct {
	ID         string
	Name       string
	Image      string
	Running    bool
	Paused     bool
	Status     string // engine status word: created, running, exited, ...
	ExitCode   int
	StartedAt  time.Time
	IPs        map[string]string // network name -> IPv4 address
	Labels     Labels
	NanoCPUs   int64
	MemoryByte int64
}

// ExecResult is the outcome of a command run inside a container.
type ExecResult struct {
	ExitCode int
	Stdout   []byte
	Stderr   []byte
}

// Runtime is the engine seen by the cloud. All methods are safe for concurrent use. Create* methods are
// idempotent: creating an object that already exists under the same name with the same labels succeeds.
// Remove* methods treat a missing object as success.
type Runtime interface {
	Ping(ctx context.Context) error

	ImageExists(ctx context.Context, ref string) (bool, error)

	CreateNetwork(ctx context.Context, spec NetworkSpec) (NetworkInfo, error)
	InspectNetwork(ctx context.Context, name string) (NetworkInfo, error)
	RemoveNetwork(ctx context.Context, name string) error
	ConnectNetwork(ctx context.Context, network, container string, aliases []string, ipv4 string) error
	DisconnectNetwork(ctx context.Context, network, container string) error

	CreateVolume(ctx context.Context, spec VolumeSpec) error
	RemoveVolume(ctx context.Context, name string) error

	CreateContainer(ctx context.Context, spec ContainerSpec) (string, error)
	CopyFiles(ctx context.Context, container string, files []File) error
	StartContainer(ctx context.Context, name string) error
	// StopContainer stops gracefully, killing after grace.
	StopContainer(ctx context.Context, name string, grace time.Duration) error
	// KillContainer sends a signal. SIGKILL also ends a paused container: the signal is queued while it is
	// frozen and the container thawed, so the process never runs another instruction; fencing a paused
	// primary is one KillContainer. StopContainer works on a paused container too.
	KillContainer(ctx context.Context, name string, signal string) error
	PauseContainer(ctx context.Context, name string) error
	UnpauseContainer(ctx context.Context, name string) error
	RemoveContainer(ctx context.Context, name string) error
	InspectContainer(ctx context.Context, name string) (ContainerInfo, error)
	UpdateResources(ctx context.Context, name string, nanoCPUs, memoryByte int64) error
	Exec(ctx context.Context, container string, user string, cmd []string, stdin io.Reader) (ExecResult, error)
	Logs(ctx context.Context, container string, tail int, follow bool, w io.Writer) error
	// Run creates, starts and waits for a throwaway container, streaming its output, and removes it.
	Run(ctx context.Context, spec ContainerSpec, stdin io.Reader, stdout, stderr io.Writer) (int, error)

	// List returns every container, volume and network whose labels include all of match.
	List(ctx context.Context, match Labels) ([]Object, error)

	// Events streams the events of containers whose labels include all of match, from the moment Events is
	// called until ctx ends or the engine's stream breaks. Nothing that happens after the call returns is
	// missed while the stream lasts, so a watcher subscribes first and then reads the current state
	// (InspectContainer, List): a change between the two shows up as an event. Events of one container
	// arrive in the order they happened. When the stream ends the event channel is closed, and then the
	// error channel yields exactly one value, nil when ctx ended and otherwise why, and is closed. A watcher
	// whose stream broke resubscribes and reads the state again: the events of the gap are lost. The caller
	// reads the event channel until it closes (cancelling ctx closes it soon): an unread stream holds up
	// the engine's.
	Events(ctx context.Context, match Labels) (<-chan Event, <-chan error)

	// IsolateContainer cuts a running (or paused) container off every network it is on, for fault
	// injection: nothing reaches it and nothing leaves it, as in a network partition, while the engine keeps
	// its endpoints, addresses and aliases, and docker exec still works. HealContainer joins it again with
	// exactly the addresses it had. Both are idempotent; a container that is not running is ErrConflict.
	// Isolation ends with the container's process: a container started again is connected as usual.
	IsolateContainer(ctx context.Context, name string) error
	HealContainer(ctx context.Context, name string) error
}
