package spec

import (
	"net/netip"
	"strings"
	"testing"
)

func TestValidateFirewallRuleName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"office", ""},
		{"AllowAll_0.0.0.0-255.255.255.255", ""},
		{strings.Repeat("r", 128), ""},
		{"", "name.length"},
		{strings.Repeat("r", 129), "name.length"},
		{"my rule", "name.characters"},
		{"rule/1", "name.characters"},
		{"rule\n", "name.characters"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateFirewallRuleName("+quote(c.in)+")", ValidateFirewallRuleName(c.in), c.rule)
	}
}

func TestValidateFirewallRange(t *testing.T) {
	cases := []struct {
		start, end string
		rules      []string
	}{
		{"10.0.0.1", "10.0.0.6", nil},
		{"0.0.0.0", "0.0.0.0", nil},
		{"1.2.3.4", "1.2.3.4", nil},
		{"10.0.0.7", "10.0.0.6", []string{"end_ip_address.not_before_start"}},
		{"::1", "10.0.0.6", []string{"start_ip_address.ipv4_only"}},
		{"10.0.0.1", "2001:db8::1", []string{"end_ip_address.ipv4_only"}},
		{"::ffff:10.0.0.1", "10.0.0.2", []string{"start_ip_address.ipv4_only"}},
		{"10.0.0", "10.0.0.1", []string{"start_ip_address.ipv4_format"}},
		{"010.0.0.1", "10.0.0.1", []string{"start_ip_address.ipv4_format"}},
		{"10.0.0.0/24", "", []string{"start_ip_address.ipv4_format", "end_ip_address.ipv4_format"}},
		{"10.0.0.1\n", "10.0.0.2", []string{"start_ip_address.ipv4_format"}},
	}
	for _, c := range cases {
		checkRules(t, c.start+"–"+c.end, ValidateFirewallRange(c.start, c.end), c.rules...)
	}
	if e := ValidateFirewallRange("::1", "::2")[0]; !strings.Contains(e.Message, "IPv4 only") {
		t.Errorf("IPv6 message must say IPv4 only: %q", e.Message)
	}
	if !AllowsCloudServices("0.0.0.0", "0.0.0.0") || AllowsCloudServices("0.0.0.0", "0.0.0.1") {
		t.Error("AllowsCloudServices wrong")
	}
}

func TestIPv4RangeToPrefixes(t *testing.T) {
	cases := []struct {
		start, end string
		want       []string
	}{
		{"10.0.0.1", "10.0.0.6", []string{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}},
		{"0.0.0.0", "255.255.255.255", []string{"0.0.0.0/0"}},
		{"0.0.0.0", "0.0.0.0", []string{"0.0.0.0/32"}},
		{"255.255.255.255", "255.255.255.255", []string{"255.255.255.255/32"}},
		{"192.168.0.0", "192.168.255.255", []string{"192.168.0.0/16"}},
		{"10.0.0.0", "10.0.1.0", []string{"10.0.0.0/24", "10.0.1.0/32"}},
		{"0.0.0.1", "255.255.255.254", nil}, // checked by size below
	}
	for _, c := range cases {
		got, err := IPv4RangeToPrefixes(c.start, c.end)
		if err != nil {
			t.Fatalf("IPv4RangeToPrefixes(%s, %s): %v", c.start, c.end, err)
		}
		if c.want == nil {
			if len(got) != 62 {
				t.Errorf("0.0.0.1–255.255.255.254 needs 62 prefixes, got %d", len(got))
			}
			checkCover(t, c.start, c.end, got)
			continue
		}
		if strings.Join(prefixStrings(got), ",") != strings.Join(c.want, ",") {
			t.Errorf("IPv4RangeToPrefixes(%s, %s) = %v, want %v", c.start, c.end, got, c.want)
		}
	}
	if _, err := IPv4RangeToPrefixes("10.0.0.2", "10.0.0.1"); err == nil {
		t.Error("an inverted range must fail")
	}
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// checkCover asserts that prefixes are contiguous, aligned and cover exactly start..end.
func checkCover(t *testing.T, start, end string, prefixes []netip.Prefix) {
	t.Helper()
	next := uint64(ipv4ToUint(netip.MustParseAddr(start)))
	for _, p := range prefixes {
		if p != p.Masked() {
			t.Fatalf("prefix %s is not aligned", p)
		}
		if uint64(ipv4ToUint(p.Addr())) != next {
			t.Fatalf("prefix %s does not start at %d", p, next)
		}
		next += uint64(1) << (32 - p.Bits())
	}
	if next != uint64(ipv4ToUint(netip.MustParseAddr(end)))+1 {
		t.Fatalf("prefixes end at %d, want %s", next-1, end)
	}
}
