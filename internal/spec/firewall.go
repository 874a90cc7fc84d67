package spec

import (
	"math/bits"
	"net/netip"
	"strings"
)

// MaxFirewallRuleNameLength is the service's limit.
const MaxFirewallRuleNameLength = 128

// ValidateFirewallRuleName checks a firewall rule name: 1–128 letters, digits, underscores, hyphens, periods.
func ValidateFirewallRuleName(v string) *FieldError {
	const field = "name"
	if v == "" || len(v) > MaxFirewallRuleNameLength {
		return NewFieldError(field, KindLength, "must be 1 to %d characters long; got %d characters",
			MaxFirewallRuleNameLength, len(v))
	}
	ok := func(c byte) bool { return isASCIILetter(c) || isASCIIDigit(c) || c == '_' || c == '-' || c == '.' }
	if !onlyBytes(v, ok) {
		return NewFieldError(field, KindCharacters,
			"may contain only letters, digits, underscores, hyphens and periods; got %s", quote(v))
	}
	return nil
}

// ValidateFirewallRange checks start_ip_address and end_ip_address: IPv4 dotted quads with start ≤ end.
// An inverted range is reported on end_ip_address.
func ValidateFirewallRange(start, end string) FieldErrors {
	var errs FieldErrors
	s, errS := parseIPv4("start_ip_address", start)
	e, errE := parseIPv4("end_ip_address", end)
	errs.Add(errS)
	errs.Add(errE)
	if errS == nil && errE == nil && e.Less(s) {
		errs.Add(NewFieldError("end_ip_address", KindNotBeforeStart,
			"must not be lower than start_ip_address %s; got %s (swap the two addresses)", s, e))
	}
	return errs
}

// parseIPv4 accepts only a plain IPv4 dotted quad (no IPv6, no IPv4-mapped IPv6, no zone, no leading zeros).
func parseIPv4(field, v string) (netip.Addr, *FieldError) {
	addr, err := netip.ParseAddr(v)
	switch {
	case err == nil && addr.Is4():
		return addr, nil
	case err == nil || (strings.Contains(v, ":") && !hasControl(v)):
		return netip.Addr{}, NewFieldError(field, KindIPv4Only,
			"must be an IPv4 address; IPv6 addresses are not supported by firewall rules, which are IPv4 only; got %s", quote(v))
	}
	return netip.Addr{}, NewFieldError(field, KindIPv4Format,
		"must be an IPv4 address in dotted-quad form such as 203.0.113.10; got %s", quote(v))
}

// AllowsCloudServices reports whether the range is the 0.0.0.0–0.0.0.0 convention that lets the cloud's own
// services in (and nothing else).
func AllowsCloudServices(start, end string) bool {
	return start == "0.0.0.0" && end == "0.0.0.0"
}

// IPv4RangeToPrefixes returns the smallest list of CIDR prefixes whose union is exactly start..end, in
// address order. The gateway and pg_hba need prefixes; firewall rules are ranges.
func IPv4RangeToPrefixes(start, end string) ([]netip.Prefix, error) {
	if errs := ValidateFirewallRange(start, end); len(errs) > 0 {
		return nil, errs
	}
	lo := uint64(ipv4ToUint(netip.MustParseAddr(start)))
	hi := uint64(ipv4ToUint(netip.MustParseAddr(end)))
	var out []netip.Prefix
	for lo <= hi {
		// The largest aligned block starting at lo: limited by lo's trailing zero bits and by the range's end.
		size := uint64(1) << 32
		if lo != 0 {
			size = uint64(1) << bits.TrailingZeros64(lo)
		}
		for size > hi-lo+1 {
			size >>= 1
		}
		prefixLen := 32 - (bits.Len64(size) - 1)
		out = append(out, netip.PrefixFrom(uintToIPv4(uint32(lo)), prefixLen))
		lo += size
	}
	return out, nil
}

func ipv4ToUint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func uintToIPv4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
