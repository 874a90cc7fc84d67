package dns

import (
	"net/netip"
	"slices"
	"strings"
)

// Record is one name of a StaticView.
type Record struct {
	Name  string
	Addr  netip.Addr
	VNets []string // virtual networks whose clients may see the record
}

// StaticView is a View built from fixed maps for the tests; it documents
// the rules the cloud's own View follows. It must not be mutated while a
// Server uses it.
type StaticView struct {
	ClientNet map[netip.Prefix]string // subnet -> virtual network
	Records   []Record
}

// Resolve implements View. A client outside every subnet belongs to no
// virtual network and sees nothing; a record hidden from the client's network
// is reported as unknown, exactly like a name that does not exist.
func (v StaticView) Resolve(client netip.Addr, name string) ([]netip.Addr, bool) {
	vnet, ok := v.vnetOf(client)
	if !ok {
		return nil, false
	}
	name = normalizeName(name)
	var addrs []netip.Addr
	for _, r := range v.Records {
		if normalizeName(r.Name) == name && slices.Contains(r.VNets, vnet) {
			addrs = append(addrs, r.Addr)
		}
	}
	return addrs, len(addrs) > 0
}

// vnetOf picks the most specific subnet holding the client, so a nested
// prefix wins over a wider one.
func (v StaticView) vnetOf(client netip.Addr) (string, bool) {
	client = client.Unmap()
	best, found := -1, ""
	for p, vnet := range v.ClientNet {
		if p.Contains(client) && p.Bits() > best {
			best, found = p.Bits(), vnet
		}
	}
	return found, best >= 0
}

func normalizeName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}
