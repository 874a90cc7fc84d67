package netguard

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
)

// ErrClosed is returned by Apply after Close.
var ErrClosed = errors.New("netguard: guard is closed")

// Guard owns the iptables chains of one cloud. It is safe for concurrent use; calls are serialised, because
// each one reads the tables and then writes them.
type Guard struct {
	chains chainSet
	log    *slog.Logger
	run    execFunc

	mu     sync.Mutex
	closed bool
}

// New creates the cloud's chains and hooks where they are missing (a restarting cloud keeps the rules it
// had until its first Apply):
//
//	filter FLEXPG-<id>-FWD, jumped to from the top of DOCKER-USER (created if Docker has not yet),
//	nat    FLEXPG-<id>-NAT, jumped to from the top of POSTROUTING,
//	filter FLEXPG-<id>-OUT, jumped to from the top of OUTPUT.
func New(ctx context.Context, cloudShortID string, logger *slog.Logger) (*Guard, error) {
	return newGuard(ctx, cloudShortID, logger, runCommand)
}

func newGuard(ctx context.Context, cloudShortID string, logger *slog.Logger, run execFunc) (*Guard, error) {
	chains, err := chainNames(cloudShortID)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	g := &Guard{chains: chains, log: logger, run: run}
	st, err := readState(ctx, run)
	if err != nil {
		return nil, err
	}
	if err := restore(ctx, run, renderEnsure(chains, st)); err != nil {
		return nil, err
	}
	logger.Debug("netguard chains ready", "forward", chains.Forward, "nat", chains.NAT, "output", chains.Output)
	return g, nil
}

// Apply makes the chains hold exactly the rules for vnets and puts each hook back at the top of its parent.
// Call it after every change to the subnets' Docker networks: a network created after the last Apply gets
// a MASQUERADE rule above the nat hook, and its subnet is neither connected nor guarded until then. Apply
// with the same vnets twice leaves the tables as they were.
func (g *Guard) Apply(ctx context.Context, vnets []VNet) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	st, err := readState(ctx, g.run)
	if err != nil {
		return err
	}
	input, err := renderApply(g.chains, st, vnets)
	if err != nil {
		return err
	}
	if err := restore(ctx, g.run, input); err != nil {
		return err
	}
	g.log.Debug("netguard rules applied", "vnets", len(vnets), "subnets", countSubnets(vnets))
	return nil
}

// Close removes the hooks and the chains. Private servers are then reachable from the host and cut off
// from the other subnets of their VNet, so it belongs to shutting the cloud down.
func (g *Guard) Close(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	return remove(ctx, g.run, g.chains)
}

// Sweep removes the hooks and chains of the cloud with this short ID, whatever left them behind.
func Sweep(ctx context.Context, cloudShortID string) error {
	chains, err := chainNames(cloudShortID)
	if err != nil {
		return err
	}
	return remove(ctx, runCommand, chains)
}

func remove(ctx context.Context, run execFunc, chains chainSet) error {
	st, err := readState(ctx, run)
	if err != nil {
		return err
	}
	return restore(ctx, run, renderRemove(chains, st))
}

func countSubnets(vnets []VNet) int {
	n := 0
	for _, v := range vnets {
		n += len(v.Subnets)
	}
	return n
}
