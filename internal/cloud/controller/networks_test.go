package controller

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/netguard"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func (h *harness) putSubnet(p SubnetPayload) store.Operation {
	h.t.Helper()
	return h.waitOp(h.submit(KindSubnetPut, "", p, func(*store.Tx, *store.Operation) error { return nil }).ID)
}

func (h *harness) subnet(vnet, name string) (store.Subnet, error) {
	var s store.Subnet
	err := h.store.View(func(tx *store.Tx) error { var err error; s, err = tx.GetSubnet(vnet, name); return err })
	return s, err
}

// TestFailedSubnetUpdateKeepsTheSubnet: an update of an existing subnet that fails (here its new bridge
// cannot be made) restores the subnet as it was, bridge and record, instead of deleting it.
func TestFailedSubnetUpdateKeepsTheSubnet(t *testing.T) {
	h := newHarness(t)
	old := model.Subnet{Name: "s1", AddressPrefix: "10.20.1.0/24", Delegation: spec.DelegationFlexibleServers}
	if op := h.putSubnet(SubnetPayload{VNet: "v1", Subnet: old}); op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	h.rt.FailNext("CreateNetwork", errors.New("injected: no bridge for you"))
	updated := old
	updated.AddressPrefix = "10.20.2.0/24"
	op := h.putSubnet(SubnetPayload{VNet: "v1", Subnet: updated, Old: &old})
	if op.Status != model.OperationFailed {
		t.Fatalf("update: %s, want Failed", op.Status)
	}
	s, err := h.subnet("v1", "s1")
	if err != nil {
		t.Fatalf("the failed update deleted the subnet: %v", err)
	}
	if !s.Ready || s.Subnet.AddressPrefix != old.AddressPrefix {
		t.Fatalf("subnet after the failed update: %+v, want ready with %s", s, old.AddressPrefix)
	}
	info, err := h.rt.InspectNetwork(context.Background(), s.Network)
	if err != nil || info.Subnet != old.AddressPrefix {
		t.Fatalf("bridge after the failed update: %+v %v, want %s", info, err, old.AddressPrefix)
	}
}

// TestFailedSubnetCreateLeavesNothing: a new subnet whose put fails is removed again.
func TestFailedSubnetCreateLeavesNothing(t *testing.T) {
	h := newHarness(t)
	h.rt.FailNext("CreateNetwork", errors.New("injected"))
	op := h.putSubnet(SubnetPayload{VNet: "v1", Subnet: model.Subnet{Name: "s1", AddressPrefix: "10.20.1.0/24"}})
	if op.Status != model.OperationFailed {
		t.Fatalf("create: %s", op.Status)
	}
	if _, err := h.subnet("v1", "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("record left: %v", err)
	}
}

// gateGuard blocks the first Apply after arm until open is closed.
type gateGuard struct {
	mu      sync.Mutex
	armed   bool
	entered chan struct{}
	open    chan struct{}
}

func (g *gateGuard) arm() { g.mu.Lock(); g.armed = true; g.mu.Unlock() }

func (g *gateGuard) Apply(ctx context.Context, _ []netguard.VNet) error {
	g.mu.Lock()
	block := g.armed
	g.armed = false
	g.mu.Unlock()
	if block {
		close(g.entered)
		<-g.open
	}
	return nil
}

// TestNetworkOperationsRunOneAtATime: network operations share the machine's isolation rules, so the
// controller runs them one after the other, even for different subnets.
func TestNetworkOperationsRunOneAtATime(t *testing.T) {
	g := &gateGuard{entered: make(chan struct{}), open: make(chan struct{})}
	h := newHarnessWith(t, func(h *harness) { h.guard = g })
	g.arm() // the controller's start applied the rules once already
	first := h.submit(KindSubnetPut, "", SubnetPayload{VNet: "v1", Subnet: model.Subnet{Name: "a", AddressPrefix: "10.20.1.0/24"}},
		func(*store.Tx, *store.Operation) error { return nil })
	select {
	case <-g.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the first operation never reached its isolation step")
	}
	second := h.submit(KindSubnetPut, "", SubnetPayload{VNet: "v1", Subnet: model.Subnet{Name: "b", AddressPrefix: "10.20.2.0/24"}},
		func(*store.Tx, *store.Operation) error { return nil })
	close(g.open)
	a, b := h.waitOp(first.ID), h.waitOp(second.ID)
	if a.Status != model.OperationSucceeded || b.Status != model.OperationSucceeded {
		t.Fatalf("statuses %s %s", a.Status, b.Status)
	}
	if len(b.Steps) == 0 || b.Steps[0].StartedAt.Before(*a.FinishedAt) {
		t.Fatalf("the second operation started at %v, before the first ended at %v", b.Steps[0].StartedAt, a.FinishedAt)
	}
}
