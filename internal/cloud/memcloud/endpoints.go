package memcloud

import (
	"errors"
	"fmt"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
)

// Endpoint is a host endpoint as the cloud configured it.
type Endpoint struct {
	Port    int
	Backend string // instance address, "" while the server is stopped
	Policy  controller.EndpointPolicy
}

// ErrUnknownEndpoint is returned for a change of an endpoint that is not open, as the gateway does; the
// controller opens the endpoint when it meets it.
var ErrUnknownEndpoint = errors.New("memcloud: unknown host endpoint")

// Endpoints stand in for the host-side gateway: they keep what the cloud asked for and listen nowhere.
type Endpoints struct {
	mu  sync.Mutex
	eps map[string]Endpoint
}

var _ controller.Endpoints = (*Endpoints)(nil)

func newEndpoints() *Endpoints { return &Endpoints{eps: map[string]Endpoint{}} }

// Get returns the endpoint of the server name.
func (e *Endpoints) Get(name string) (Endpoint, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ep, ok := e.eps[name]
	return ep, ok
}

// OpenEndpoint opens (or re-opens) an endpoint.
func (e *Endpoints) OpenEndpoint(name string, port int, backend string, policy controller.EndpointPolicy) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.eps[name] = Endpoint{Port: port, Backend: backend, Policy: policy}
	return nil
}

// SetBackend points an open endpoint at another instance address.
func (e *Endpoints) SetBackend(name, backend string) error {
	return e.change(name, func(ep *Endpoint) { ep.Backend = backend })
}

// SetPolicy changes who an open endpoint admits.
func (e *Endpoints) SetPolicy(name string, policy controller.EndpointPolicy) error {
	return e.change(name, func(ep *Endpoint) { ep.Policy = policy })
}

// CloseEndpoint closes an endpoint; closing one that is not open succeeds, as the daemon's adapter does.
func (e *Endpoints) CloseEndpoint(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.eps, name)
	return nil
}

func (e *Endpoints) change(name string, fn func(*Endpoint)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	ep, ok := e.eps[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownEndpoint, name)
	}
	fn(&ep)
	e.eps[name] = ep
	return nil
}
