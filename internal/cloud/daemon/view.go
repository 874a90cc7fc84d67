package daemon

import (
	"net/netip"
	"sync/atomic"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/dns"
)

// lazyView lets the DNS server exist before the controller that answers its queries (they need each other).
type lazyView struct {
	v atomic.Pointer[dns.View]
}

func (l *lazyView) set(v dns.View) { l.v.Store(&v) }

func (l *lazyView) Resolve(client netip.Addr, name string) ([]netip.Addr, bool) {
	v := l.v.Load()
	if v == nil {
		return nil, false
	}
	return (*v).Resolve(client, name)
}
