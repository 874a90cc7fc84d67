package spec

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzValidateSubnetPrefix(f *testing.F) {
	f.Add("10.0.1.0/24", "10.0.0.0/16", "10.0.0.0/24")
	f.Add("10.0.1.7/24", "10.0.0.0/16", "")
	f.Add("8.8.8.0/24", "8.8.0.0/16", "")
	f.Add("fd00::/64", "fd00::/48", "fd00::/64")
	f.Add("10.0.0.0/29", "10.0.0.0/29", "10.0.0.0/30")
	f.Add("10.0.0.0/24\n", "10.0.0.0/16", "x")
	f.Fuzz(func(t *testing.T, prefix, space, sibling string) {
		errs := ValidateSubnetPrefix(prefix, []string{space}, []string{sibling}) // must not panic
		for _, e := range errs {
			if !strings.HasPrefix(e.Message, e.Field+" ") || !strings.HasPrefix(string(e.Rule), e.Field+".") {
				t.Fatalf("error %q (rule %s) does not name field %s", e.Message, e.Rule, e.Field)
			}
		}
		if len(errs) > 0 {
			return
		}
		p, err := netip.ParsePrefix(prefix)
		switch {
		case err != nil || !p.Addr().Is4():
			t.Fatalf("accepted %q, which is not an IPv4 CIDR block", prefix)
		case p.Masked().String() != prefix:
			t.Fatalf("accepted non-canonical %q", prefix)
		case p.Bits() < MinPrefixLength || p.Bits() > MaxPrefixLength:
			t.Fatalf("accepted prefix length /%d", p.Bits())
		case !PrefixWithin(prefix, PrivateAddressRanges()):
			t.Fatalf("accepted public block %q", prefix)
		case !PrefixWithin(prefix, []string{space}):
			t.Fatalf("accepted %q outside the address space %q", prefix, space)
		case PrefixesOverlap(prefix, sibling):
			t.Fatalf("accepted %q overlapping sibling %q", prefix, sibling)
		case !PrefixWithin(prefix, []string{prefix}) || !PrefixesOverlap(prefix, prefix):
			t.Fatalf("a valid block %q must contain and overlap itself", prefix)
		case len(ValidateAddressSpace([]string{prefix})) != 0:
			t.Fatalf("valid subnet prefix %q is not a valid address space", prefix)
		}
	})
}

func FuzzValidatePrivateDNSZoneName(f *testing.F) {
	for _, s := range []string{"db.postgres.flexpg.internal", "a.b", "-a.b", "a..b", "a.b.", "a\nb.c", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, zone string) {
		err := ValidatePrivateDNSZoneName(zone)
		if containsRefused(zone) && err == nil {
			t.Fatalf("accepted a zone with a control character: %q", zone)
		}
		if err != nil {
			return
		}
		if got, perr := ParsePrivateDNSZoneID(PrivateDNSZoneID(zone)); perr != nil || got != zone {
			t.Fatalf("valid zone %q does not round-trip through its ID: %q, %v", zone, got, perr)
		}
		if len(zone) > MaxDNSNameLength || strings.Contains(zone, "..") {
			t.Fatalf("accepted %q", zone)
		}
	})
}
