package spec

import (
	"strings"
	"testing"
)

func TestValidateAddressSpace(t *testing.T) {
	cases := []struct {
		name  string
		in    []string
		rules []string
	}{
		{"one block", []string{"10.0.0.0/16"}, nil},
		{"every private range", []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}, nil},
		{"disjoint blocks", []string{"10.1.0.0/16", "10.2.0.0/16", "192.168.10.0/29"}, nil},
		{"empty", nil, []string{"address_space.required"}},
		{"non-canonical", []string{"10.0.0.1/16"}, []string{"address_space.canonical"}},
		{"leading zero", []string{"10.0.0.0/08"}, []string{"address_space.format"}},
		{"no length", []string{"10.0.0.0"}, []string{"address_space.format"}},
		{"garbage", []string{"vnet"}, []string{"address_space.format"}},
		{"control character", []string{"10.0.0.0/16\n"}, []string{"address_space.format"}},
		{"IPv6", []string{"fd00::/48"}, []string{"address_space.ipv4_only"}},
		{"IPv4-mapped IPv6", []string{"::ffff:10.0.0.0/112"}, []string{"address_space.ipv4_only"}},
		{"too wide", []string{"10.0.0.0/7"}, []string{"address_space.prefix_length"}},
		{"too narrow", []string{"10.0.0.0/30"}, []string{"address_space.prefix_length"}},
		{"public range", []string{"8.8.0.0/16"}, []string{"address_space.private_range"}},
		{"straddles a private range", []string{"172.0.0.0/8"}, []string{"address_space.private_range"}},
		{"just outside 172.16/12", []string{"172.32.0.0/16"}, []string{"address_space.private_range"}},
		{"overlap", []string{"10.0.0.0/16", "10.0.128.0/24"}, []string{"address_space.overlap"}},
		{"duplicate", []string{"10.0.0.0/16", "10.0.0.0/16"}, []string{"address_space.duplicate"}},
		{"three overlapping", []string{"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"},
			[]string{"address_space.overlap", "address_space.overlap", "address_space.overlap"}},
		{"errors per entry", []string{"10.0.0.1/16", "8.8.8.0/24", "10.0.0.0/16"},
			[]string{"address_space.canonical", "address_space.private_range"}},
	}
	for _, c := range cases {
		checkRules(t, c.name, ValidateAddressSpace(c.in), c.rules...)
	}
	e := ValidateAddressSpace([]string{"10.0.0.1/16"})[0]
	if !strings.Contains(e.Message, "canonical form 10.0.0.0/16") {
		t.Errorf("canonical message must give the canonical form: %q", e.Message)
	}
	e = ValidateAddressSpace([]string{"8.8.0.0/16"})[0]
	if !strings.Contains(e.Message, "bridge network on this machine") || !strings.Contains(e.Message, "192.168.0.0/16") {
		t.Errorf("private-range message must explain why and list the ranges: %q", e.Message)
	}
}

func TestValidateSubnetPrefix(t *testing.T) {
	space := []string{"10.0.0.0/16", "10.10.0.0/24"}
	cases := []struct {
		name     string
		prefix   string
		space    []string
		siblings []string
		rules    []string
	}{
		{"inside the first block", "10.0.1.0/24", space, []string{"10.0.0.0/24", "10.0.2.0/24"}, nil},
		{"inside the second block", "10.10.0.0/28", space, nil, nil},
		{"the whole block", "10.0.0.0/16", space, nil, nil},
		{"smallest subnet", "10.0.0.8/29", space, []string{"10.0.0.0/29", "10.0.0.16/29"}, nil},
		{"space unknown", "10.0.1.0/24", nil, nil, nil},
		{"invalid siblings ignored", "10.0.1.0/24", space, []string{"", "garbage"}, nil},
		{"outside the space", "10.1.0.0/24", space, nil, []string{"address_prefix.within_address_space"}},
		{"straddles two blocks", "10.0.0.0/15", space, nil, []string{"address_prefix.within_address_space"}},
		{"wider than the block", "10.10.0.0/23", space, nil, []string{"address_prefix.within_address_space"}},
		{"non-canonical", "10.0.1.7/24", space, nil, []string{"address_prefix.canonical"}},
		{"too narrow", "10.0.1.0/30", space, nil, []string{"address_prefix.prefix_length"}},
		{"IPv6", "fd00::/64", space, nil, []string{"address_prefix.ipv4_only"}},
		{"not a CIDR", "10.0.1.0", space, nil, []string{"address_prefix.format"}},
		{"public", "100.64.0.0/24", nil, nil, []string{"address_prefix.private_range"}},
		{"overlaps a sibling", "10.0.1.0/24", space, []string{"10.0.0.0/23"}, []string{"address_prefix.overlap"}},
		{"contains a sibling", "10.0.0.0/22", space, []string{"10.0.3.0/24", "10.0.8.0/24"}, []string{"address_prefix.overlap"}},
		{"equals a sibling", "10.0.1.0/24", space, []string{"10.0.1.0/24"}, []string{"address_prefix.overlap"}},
		{"outside and overlapping", "10.1.0.0/24", space, []string{"10.1.0.0/16"},
			[]string{"address_prefix.within_address_space", "address_prefix.overlap"}},
	}
	for _, c := range cases {
		checkRules(t, c.name, ValidateSubnetPrefix(c.prefix, c.space, c.siblings), c.rules...)
	}
	e := ValidateSubnetPrefix("10.1.0.0/24", space, nil)[0]
	if !strings.Contains(e.Message, "(10.0.0.0/16, 10.10.0.0/24)") {
		t.Errorf("within message must name the address space: %q", e.Message)
	}
	e = ValidateSubnetPrefix("10.0.1.0/24", space, []string{"10.0.4.0/24", "10.0.0.0/23"})[0]
	if !strings.Contains(e.Message, "overlaps 10.0.0.0/23") {
		t.Errorf("overlap message must name the sibling: %q", e.Message)
	}
}

func TestPrefixWithinAndOverlap(t *testing.T) {
	within := []struct {
		prefix string
		space  []string
		want   bool
	}{
		{"10.0.1.0/24", []string{"10.0.0.0/16"}, true},
		{"10.0.0.0/16", []string{"10.0.0.0/16"}, true},
		{"10.0.0.0/15", []string{"10.0.0.0/16"}, false},
		{"10.1.0.0/24", []string{"192.168.0.0/16", "10.0.0.0/8"}, true},
		{"10.1.0.0/24", nil, false},
		{"garbage", []string{"10.0.0.0/8"}, false},
		{"10.1.0.0/24", []string{"garbage"}, false},
		{"fd00::/64", []string{"10.0.0.0/8"}, false},
	}
	for _, c := range within {
		if got := PrefixWithin(c.prefix, c.space); got != c.want {
			t.Errorf("PrefixWithin(%q, %v) = %v, want %v", c.prefix, c.space, got, c.want)
		}
	}
	overlap := []struct {
		a, b string
		want bool
	}{
		{"10.0.0.0/24", "10.0.0.0/24", true},
		{"10.0.0.0/16", "10.0.5.0/24", true},
		{"10.0.0.0/24", "10.0.1.0/24", false},
		{"10.0.0.0/29", "10.0.0.8/29", false},
		{"10.0.0.0/24", "garbage", false},
		{"10.0.0.0/8", "fd00::/8", false},
	}
	for _, c := range overlap {
		if got := PrefixesOverlap(c.a, c.b); got != c.want {
			t.Errorf("PrefixesOverlap(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := PrefixesOverlap(c.b, c.a); got != c.want {
			t.Errorf("PrefixesOverlap(%q, %q) = %v, want %v (symmetry)", c.b, c.a, got, c.want)
		}
	}
	if got := PrivateAddressRanges(); len(ValidateAddressSpace(got)) != 0 {
		t.Errorf("the private ranges must themselves be a valid address space: %v", ValidateAddressSpace(got))
	}
}

func TestValidateSubnetResize(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		servers  []string
		rule     string
	}{
		{"unused subnet grows", "10.0.1.0/24", "10.0.0.0/23", nil, ""},
		{"used subnet unchanged", "10.0.1.0/24", "10.0.1.0/24", []string{"pg1"}, ""},
		{"used subnet grows", "10.0.1.0/24", "10.0.0.0/23", []string{"pg1"}, "address_prefix.in_use"},
		{"used subnet shrinks", "10.0.0.0/23", "10.0.0.0/24", []string{"pg1"}, "address_prefix.in_use"},
		{"used subnet moves", "10.0.1.0/24", "10.0.2.0/24", []string{"pg1"}, "address_prefix.in_use"},
	}
	for _, c := range cases {
		checkRule(t, c.name, ValidateSubnetResize(c.old, c.new, c.servers), c.rule)
	}
	e := ValidateSubnetResize("10.0.1.0/24", "10.0.0.0/23", []string{"pg-b", "pg-a"})
	if !strings.Contains(e.Message, "(pg-a, pg-b)") {
		t.Errorf("resize message must name the servers: %q", e.Message)
	}
}

func TestValidateAddressSpaceChange(t *testing.T) {
	subnets := map[string]string{"db": "10.0.1.0/24", "app": "10.1.0.0/24"}
	cases := []struct {
		name  string
		space []string
		rules []string
	}{
		{"grown", []string{"10.0.0.0/15"}, nil},
		{"block added", []string{"10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"}, nil},
		{"block removed", []string{"10.0.0.0/16"}, []string{"address_space.covers_subnets"}},
		{"everything removed", []string{"192.168.0.0/16"},
			[]string{"address_space.covers_subnets", "address_space.covers_subnets"}},
	}
	for _, c := range cases {
		checkRules(t, c.name, ValidateAddressSpaceChange(c.space, subnets), c.rules...)
	}
	if e := ValidateAddressSpaceChange([]string{"10.0.0.0/16"}, subnets)[0]; !strings.Contains(e.Message, `subnet "app"`) {
		t.Errorf("message must name the subnet: %q", e.Message)
	}
}
