package controller

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// publicNetwork returns the bridge that public-access servers sit on, creating it on first use. The engine
// picks the subnet; the host keeps its address on the bridge, which is also the source address of the
// cloud's management connections and of the gateway.
func (c *Controller) publicNetwork(ctx context.Context) (runtime.NetworkInfo, error) {
	c.netMu.Lock()
	defer c.netMu.Unlock()
	if c.net != nil {
		return *c.net, nil
	}
	info, err := c.cfg.Runtime.CreateNetwork(ctx, runtime.NetworkSpec{
		Name:   c.publicNetworkName(),
		Labels: c.labels("/cloud/"+c.cfg.CloudID+"/public", "network"),
	})
	if err != nil {
		return runtime.NetworkInfo{}, fmt.Errorf("create the cloud's public network: %w", err)
	}
	if _, err := netip.ParseAddr(info.Gateway); err != nil {
		return runtime.NetworkInfo{}, fmt.Errorf("public network %s has no usable gateway address %q", info.Name, info.Gateway)
	}
	c.net = &info
	return info, nil
}

// hostPrefix is the /32 of the host's address on the public bridge.
func hostPrefix(info runtime.NetworkInfo) netip.Prefix {
	a := netip.MustParseAddr(info.Gateway)
	return netip.PrefixFrom(a, 32)
}
