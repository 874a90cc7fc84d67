package dns

import "net/netip"

// View is the cloud's answer to "what may this client see?".
//
// Resolve receives the client's source address and a lowercased, fully
// qualified name without the trailing dot. It returns the addresses the client
// may see for that name; known=false means the name does not exist for this
// client (NXDOMAIN). A known name with no addresses of the asked family is
// answered NOERROR with no records (NODATA). Resolve is called on the serving
// goroutine of a listener, so it must be quick and safe for concurrent use.
type View interface {
	Resolve(client netip.Addr, name string) (addrs []netip.Addr, known bool)
}
