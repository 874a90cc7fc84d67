// Package fake is an in-memory runtime.Runtime for controller unit tests. It keeps networks, volumes and
// containers in maps, follows the Docker runtime's rules (not-found and ownership semantics, idempotent
// creates, removes of missing objects succeed, a container needs its image, network and a running state
// for exec), records every call, and lets a test inject failures and exec results.
//
// Every lifecycle change is reported to Events subscribers with the actions Docker reports for it (create,
// start, kill, die, stop, pause, unpause, destroy), and Exit, Freeze and Thaw simulate a crash or a pause
// from outside the cloud.
//
// Differences from Docker worth knowing: containers run no process (a start just marks them running; Exec
// answers through OnExec, Run through OnRun, and neither reports exec events), addresses are reserved
// when a container is attached (not when it starts) and handed out deterministically from the lowest free
// host address, and a network created without a subnet gets 10.99.0.0/24, then 10.99.1.0/24, and so on.
package fake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

var _ runtime.Runtime = (*Runtime)(nil)

// Runtime is the in-memory engine. The zero value is not usable; call New. All methods are safe for
// concurrent use. Set the exported fields before the code under test runs.
type Runtime struct {
	// ImageRefs is the set of images ImageExists and container creation find. Change it only before use,
	// or through AddImage while other goroutines use the runtime.
	ImageRefs map[string]bool
	// OnExec, when set, answers Exec (called without the fake's lock held, so it may call the fake). Without
	// it Exec succeeds with exit code 0 and no output.
	OnExec func(container string, cmd []string) (runtime.ExecResult, error)
	// OnRun, when set, answers Run with the exit code; without it Run exits 0 with no output.
	OnRun func(spec runtime.ContainerSpec, stdin io.Reader, stdout, stderr io.Writer) (int, error)
	// OnCommand, when set, gives the exit code of a started command container (CommandEnv); it is called with
	// the fake's lock held, so it must not call the fake.
	OnCommand func(spec runtime.ContainerSpec) int
	// Now is the clock for StartedAt; nil means time.Now.
	Now func() time.Time

	mu          sync.Mutex
	networks    map[string]*fnetwork   // by name
	volumes     map[string]*fvolume    // by name
	containers  map[string]*fcontainer // by name
	calls       []string
	faults      map[string][]error
	seq         int // for IDs
	autoSubnets int // default subnets handed out
	subs        map[*subscriber]struct{}
}

// New returns an empty runtime with no images.
func New() *Runtime {
	return &Runtime{
		ImageRefs:  map[string]bool{},
		networks:   map[string]*fnetwork{},
		volumes:    map[string]*fvolume{},
		containers: map[string]*fcontainer{},
		faults:     map[string][]error{},
		subs:       map[*subscriber]struct{}{},
	}
}

// methods lists the runtime.Runtime methods, so FailNext can reject a misspelt one instead of never firing.
var methods = []string{
	"Ping", "ImageExists", "CreateNetwork", "InspectNetwork", "RemoveNetwork", "ConnectNetwork",
	"DisconnectNetwork", "CreateVolume", "RemoveVolume", "CreateContainer", "CopyFiles", "StartContainer",
	"StopContainer", "KillContainer", "PauseContainer", "UnpauseContainer", "RemoveContainer",
	"InspectContainer", "UpdateResources", "Exec", "Logs", "Run", "List", "Events", "IsolateContainer",
	"HealContainer",
}

// FailNext makes the next call of method (a runtime.Runtime method name, e.g. "StartContainer") return err
// without doing anything. Several calls queue up, one failure per call. It panics on an unknown method.
func (f *Runtime) FailNext(method string, err error) {
	if !slices.Contains(methods, method) {
		panic(fmt.Sprintf("fake: FailNext: %q is not a runtime method", method))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], err)
}

// Calls returns the calls so far in order, each as the method name followed by the object names it acted
// on, e.g. "CreateContainer demo-0", "ConnectNetwork net-a demo-0", "Exec demo-0 pg_ctl promote".
func (f *Runtime) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// ResetCalls forgets the recorded calls.
func (f *Runtime) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// AddImage adds an image to ImageRefs; safe while the runtime is in use.
func (f *Runtime) AddImage(ref string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ImageRefs[ref] = true
}

// enter records a call and returns the context's error or an injected failure. Callers hold f.mu.
func (f *Runtime) enter(ctx context.Context, method string, args ...string) error {
	f.calls = append(f.calls, strings.Join(append([]string{method}, args...), " "))
	if err := ctx.Err(); err != nil {
		return err
	}
	if q := f.faults[method]; len(q) > 0 {
		f.faults[method] = q[1:]
		return q[0]
	}
	return nil
}

// newID returns a deterministic engine-like 64-hex-digit ID.
func (f *Runtime) newID(kind, name string) string {
	f.seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d", kind, name, f.seq))
	return hex.EncodeToString(sum[:])
}

func (f *Runtime) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Ping always succeeds unless a failure is injected.
func (f *Runtime) Ping(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.enter(ctx, "Ping")
}

// ImageExists reports whether ref is in ImageRefs.
func (f *Runtime) ImageExists(ctx context.Context, ref string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "ImageExists", ref); err != nil {
		return false, err
	}
	return f.ImageRefs[ref], nil
}
