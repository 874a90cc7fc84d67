package spec

import (
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// Prefix-length limits of address_space and address_prefix blocks. /29 is the smallest subnet the service
// allows; /8 is the largest private range, so no block can be wider.
const (
	MinPrefixLength = 8
	MaxPrefixLength = 29
)

// PrivateAddressRanges returns the IPv4 private ranges (RFC 1918) every address block must lie in.
func PrivateAddressRanges() []string {
	return []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}
}

// parseCIDR accepts only an IPv4 CIDR block written canonically (the network address, then the length) with
// a length in MinPrefixLength..MaxPrefixLength. Canonical text keeps stored values and plans stable: the
// cloud never rewrites what the user wrote.
func parseCIDR(field, v string) (netip.Prefix, *FieldError) {
	p, err := netip.ParsePrefix(v)
	switch {
	case err != nil && strings.Contains(v, ":") && !hasControl(v), err == nil && !p.Addr().Is4():
		return netip.Prefix{}, NewFieldError(field, KindIPv4Only,
			"must be an IPv4 CIDR block; IPv6 is not supported by the cloud's networks; got %s", quote(v))
	case err != nil:
		return netip.Prefix{}, NewFieldError(field, KindFormat,
			"must be an IPv4 CIDR block such as 10.0.0.0/16; got %s", quote(v))
	case p.Bits() < MinPrefixLength || p.Bits() > MaxPrefixLength:
		return netip.Prefix{}, NewFieldError(field, KindPrefixLength,
			"must have a prefix length between /%d and /%d; got /%d (%s)", MinPrefixLength, MaxPrefixLength, p.Bits(), v)
	case p.Masked().String() != v:
		return netip.Prefix{}, NewFieldError(field, KindCanonical,
			"must be written in canonical form %s (the block's network address, then its length); got %s",
			p.Masked(), quote(v))
	}
	return p, nil
}

// checkPrivate refuses a block outside the private ranges.
func checkPrivate(field string, p netip.Prefix) *FieldError {
	if PrefixWithin(p.String(), PrivateAddressRanges()) {
		return nil
	}
	return NewFieldError(field, KindPrivateRange,
		"%s is not in a private range (%s): the cloud makes every subnet a bridge network on this machine, "+
			"so a public block would shadow real internet addresses for the machine; choose a block inside a private range",
		p, joinValues(PrivateAddressRanges()))
}

// parseCIDROrCheck parses and range-checks one block of field.
func parseCIDROrCheck(field, v string) (netip.Prefix, *FieldError) {
	p, e := parseCIDR(field, v)
	if e == nil {
		e = checkPrivate(field, p)
	}
	return p, e
}

// ValidateAddressSpace checks a virtual network's address_space: at least one block; every block a canonical
// private IPv4 CIDR of /8 to /29; no two blocks overlapping.
func ValidateAddressSpace(cidrs []string) FieldErrors {
	const field = "address_space"
	var errs FieldErrors
	if len(cidrs) == 0 {
		errs.Add(NewFieldError(field, KindRequired, "must hold at least one CIDR block, such as 10.0.0.0/16"))
		return errs
	}
	var valid []netip.Prefix
	for _, v := range cidrs {
		p, e := parseCIDROrCheck(field, v)
		if e != nil {
			errs.Add(e)
			continue
		}
		for _, q := range valid {
			switch {
			case q == p:
				errs.Add(NewFieldError(field, KindDuplicate, "lists %s twice; remove the duplicate", p))
			case q.Overlaps(p):
				errs.Add(NewFieldError(field, KindOverlap,
					"blocks %s and %s overlap; the blocks of an address space must be disjoint (remove one or choose another block)", q, p))
			}
		}
		valid = append(valid, p)
	}
	return errs
}

// ValidateSubnetPrefix checks a subnet's address_prefix: a canonical private IPv4 CIDR of /8 to /29 inside one
// of the virtual network's address_space blocks and overlapping none of the other subnets of that network.
// vnetSpace nil means the network's address space is not known yet (plan time); siblings are the prefixes of
// the network's other subnets, never the subnet's own. Invalid sibling values are ignored.
func ValidateSubnetPrefix(prefix string, vnetSpace []string, siblings []string) FieldErrors {
	const field = "address_prefix"
	var errs FieldErrors
	p, e := parseCIDROrCheck(field, prefix)
	if e != nil {
		errs.Add(e)
		return errs
	}
	if len(vnetSpace) > 0 && !PrefixWithin(prefix, vnetSpace) {
		errs.Add(NewFieldError(field, KindWithinAddressSpace,
			"%s is not inside the virtual network's address_space (%s); choose a prefix inside one of those blocks or add a block to the address space",
			p, joinValues(vnetSpace)))
	}
	for _, s := range siblings {
		if PrefixesOverlap(prefix, s) {
			errs.Add(NewFieldError(field, KindOverlap,
				"%s overlaps %s, the address_prefix of another subnet of the virtual network; subnets of one network must not overlap",
				p, s))
		}
	}
	return errs
}

// ValidateSubnetResize refuses a new address_prefix for a subnet that servers use: the service can't change a
// subnet's size while resources exist in it. holdsServers names the servers in the subnet.
func ValidateSubnetResize(oldPrefix, newPrefix string, holdsServers []string) *FieldError {
	if len(holdsServers) == 0 || samePrefix(oldPrefix, newPrefix) {
		return nil
	}
	return NewFieldError("address_prefix", KindInUse,
		"cannot change from %s to %s while servers use the subnet (%s); a subnet's size is fixed while resources "+
			"exist in it: delete those servers first, or create a new subnet for new servers",
		oldPrefix, newPrefix, joinValues(slices.Sorted(slices.Values(holdsServers))))
}

// ValidateAddressSpaceChange checks a new address_space against the network's existing subnets (name →
// address_prefix): every subnet must stay inside the new space. Run ValidateAddressSpace as well.
func ValidateAddressSpaceChange(newSpace []string, subnets map[string]string) FieldErrors {
	var errs FieldErrors
	for _, name := range slices.Sorted(maps.Keys(subnets)) {
		if prefix := subnets[name]; !PrefixWithin(prefix, newSpace) {
			errs.Add(NewFieldError("address_space", KindCoversSubnets,
				"must keep covering subnet %s (address_prefix %s); keep a block that contains it, or change or delete the subnet first",
				quote(name), prefix))
		}
	}
	return errs
}

// PrefixWithin reports whether the CIDR block prefix lies entirely inside one of the blocks of space. Invalid
// values never contain and are never contained.
func PrefixWithin(prefix string, space []string) bool {
	p, ok := parseAnyPrefix(prefix)
	if !ok {
		return false
	}
	for _, s := range space {
		if q, ok := parseAnyPrefix(s); ok && q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// PrefixesOverlap reports whether CIDR blocks a and b share an address. Invalid values overlap nothing.
func PrefixesOverlap(a, b string) bool {
	p, okP := parseAnyPrefix(a)
	q, okQ := parseAnyPrefix(b)
	return okP && okQ && p.Overlaps(q)
}

// parseAnyPrefix parses a CIDR block leniently (host bits are dropped), for the set operations above.
func parseAnyPrefix(v string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

func samePrefix(a, b string) bool {
	p, okP := parseAnyPrefix(a)
	q, okQ := parseAnyPrefix(b)
	return a == b || (okP && okQ && p == q)
}
