package netguard

import (
	"net/netip"
	"strings"
	"testing"
)

// Docker's listing of a machine where New already ran once for cloud "c1".
const dockerFilterListing = `-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N DOCKER
-N DOCKER-ISOLATION-STAGE-1
-N DOCKER-USER
-N FLEXPG-c1-FWD
-N FLEXPG-c1-OUT
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A OUTPUT -j FLEXPG-c1-OUT
-A DOCKER-ISOLATION-STAGE-1 -i br-aaaaaaaaaaaa ! -o br-aaaaaaaaaaaa -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-USER -j FLEXPG-c1-FWD
-A DOCKER-USER -j RETURN
-A FLEXPG-c1-OUT -d 10.0.0.0/24 -m mark --mark 0x464c -j ACCEPT
`

const dockerNATListing = `-P PREROUTING ACCEPT
-P POSTROUTING ACCEPT
-N DOCKER
-N FLEXPG-c1-NAT
-A POSTROUTING -s 10.213.1.0/24 ! -o br-aaaaaaaaaaaa -j MASQUERADE
-A POSTROUTING -j FLEXPG-c1-NAT
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
`

func testChains(t *testing.T) chainSet {
	t.Helper()
	c, err := chainNames("c1")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func installedState() state {
	return state{"filter": parseTable(dockerFilterListing), "nat": parseTable(dockerNATListing)}
}

func emptyState() state {
	return state{
		"filter": parseTable("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"),
		"nat":    parseTable("-P PREROUTING ACCEPT\n-P POSTROUTING ACCEPT\n"),
	}
}

// twoVNets is VNet A with two subnets and VNet B with one.
func twoVNets() []VNet {
	return []VNet{
		{Name: "a", Subnets: []Subnet{
			{Prefix: netip.MustParsePrefix("10.213.1.0/24"), Bridge: "br-aaaaaaaaaaaa"},
			{Prefix: netip.MustParsePrefix("10.213.2.0/24"), Bridge: "br-bbbbbbbbbbbb"},
		}},
		{Name: "b", Subnets: []Subnet{
			{Prefix: netip.MustParsePrefix("10.214.1.0/24"), Bridge: "br-cccccccccccc"},
		}},
	}
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestChainNames(t *testing.T) {
	tests := []struct {
		id      string
		want    chainSet
		wantErr bool
	}{
		{id: "3f9a01bc", want: chainSet{Forward: "FLEXPG-3f9a01bc-FWD", NAT: "FLEXPG-3f9a01bc-NAT", Output: "FLEXPG-3f9a01bc-OUT"}},
		{id: "0123456789abcdef", want: chainSet{Forward: "FLEXPG-0123456789abcdef-FWD", NAT: "FLEXPG-0123456789abcdef-NAT", Output: "FLEXPG-0123456789abcdef-OUT"}},
		{id: "", wantErr: true},
		{id: "0123456789abcdefX", wantErr: true}, // chain name would pass 28 characters
		{id: "a b", wantErr: true},
		{id: "a+", wantErr: true},
		{id: "a\n-F", wantErr: true},
	}
	for _, tt := range tests {
		got, err := chainNames(tt.id)
		if (err != nil) != tt.wantErr {
			t.Errorf("chainNames(%q) err = %v, wantErr %v", tt.id, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("chainNames(%q) = %+v, want %+v", tt.id, got, tt.want)
		}
		for _, name := range []string{got.Forward, got.NAT, got.Output} {
			if len(name) > 28 {
				t.Errorf("chain %q longer than iptables allows", name)
			}
		}
	}
}

func TestParseTable(t *testing.T) {
	ts := parseTable(dockerFilterListing)
	for _, c := range []string{"DOCKER", "DOCKER-USER", "FLEXPG-c1-FWD", "FLEXPG-c1-OUT"} {
		if !ts.Chains[c] {
			t.Errorf("chain %s not found", c)
		}
	}
	if ts.Chains["FORWARD"] {
		t.Error("built-in FORWARD counted as a user chain")
	}
	wantJumps := map[[2]string]int{
		{"FORWARD", "DOCKER-USER"}: 1, {"FORWARD", "DOCKER-ISOLATION-STAGE-1"}: 1,
		{"OUTPUT", "FLEXPG-c1-OUT"}: 1, {"DOCKER-USER", "FLEXPG-c1-FWD"}: 1, {"DOCKER-USER", "RETURN"}: 1,
	}
	if len(ts.Jumps) != len(wantJumps) {
		t.Errorf("jumps = %v, want %v", ts.Jumps, wantJumps)
	}
	for k, n := range wantJumps {
		if ts.Jumps[k] != n {
			t.Errorf("jumps %v = %d, want %d", k, ts.Jumps[k], n)
		}
	}
	wantOrder := "INPUT FORWARD OUTPUT DOCKER DOCKER-ISOLATION-STAGE-1 DOCKER-USER FLEXPG-c1-FWD FLEXPG-c1-OUT"
	if got := strings.Join(ts.Order, " "); got != wantOrder {
		t.Errorf("order = %q, want %q", got, wantOrder)
	}
}

func TestRenderApply(t *testing.T) {
	rules := lines(
		"-A FLEXPG-c1-FWD -s 10.213.1.0/24 -d 10.213.2.0/24 -i br-aaaaaaaaaaaa -o br-bbbbbbbbbbbb -j ACCEPT",
		"-A FLEXPG-c1-FWD -s 10.213.2.0/24 -d 10.213.1.0/24 -i br-bbbbbbbbbbbb -o br-aaaaaaaaaaaa -j ACCEPT",
		"-A FLEXPG-c1-OUT -d 10.213.1.0/24 -m mark --mark 0x464c -j ACCEPT",
		"-A FLEXPG-c1-OUT -d 10.213.1.0/24 -p tcp -m multiport --dports 5432,6432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
		"-A FLEXPG-c1-OUT -d 10.213.2.0/24 -m mark --mark 0x464c -j ACCEPT",
		"-A FLEXPG-c1-OUT -d 10.213.2.0/24 -p tcp -m multiport --dports 5432,6432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
		"-A FLEXPG-c1-OUT -d 10.214.1.0/24 -m mark --mark 0x464c -j ACCEPT",
		"-A FLEXPG-c1-OUT -d 10.214.1.0/24 -p tcp -m multiport --dports 5432,6432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
		"COMMIT",
		"*nat",
		":FLEXPG-c1-NAT - [0:0]",
	)
	tests := []struct {
		name  string
		state state
		vnets []VNet
		want  string
	}{
		{
			name:  "installed: hooks moved to the top, chains refilled",
			state: installedState(),
			vnets: twoVNets(),
			want: lines(
				"*filter",
				":FLEXPG-c1-FWD - [0:0]",
				":FLEXPG-c1-OUT - [0:0]",
				"-D DOCKER-USER -j FLEXPG-c1-FWD",
				"-I DOCKER-USER 1 -j FLEXPG-c1-FWD",
				"-D OUTPUT -j FLEXPG-c1-OUT",
				"-I OUTPUT 1 -j FLEXPG-c1-OUT",
			) + rules + lines(
				"-D POSTROUTING -j FLEXPG-c1-NAT",
				"-I POSTROUTING 1 -j FLEXPG-c1-NAT",
				"-A FLEXPG-c1-NAT -s 10.213.1.0/24 -d 10.213.2.0/24 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.213.2.0/24 -d 10.213.1.0/24 -j ACCEPT",
				"COMMIT",
			),
		},
		{
			name:  "fresh machine: DOCKER-USER created, nothing to delete",
			state: emptyState(),
			vnets: twoVNets(),
			want: lines(
				"*filter",
				"-N DOCKER-USER",
				":FLEXPG-c1-FWD - [0:0]",
				":FLEXPG-c1-OUT - [0:0]",
				"-I DOCKER-USER 1 -j FLEXPG-c1-FWD",
				"-I OUTPUT 1 -j FLEXPG-c1-OUT",
			) + rules + lines(
				"-I POSTROUTING 1 -j FLEXPG-c1-NAT",
				"-A FLEXPG-c1-NAT -s 10.213.1.0/24 -d 10.213.2.0/24 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.213.2.0/24 -d 10.213.1.0/24 -j ACCEPT",
				"COMMIT",
			),
		},
		{
			name:  "no vnets: empty chains, hooks kept",
			state: installedState(),
			vnets: nil,
			want: lines(
				"*filter",
				":FLEXPG-c1-FWD - [0:0]",
				":FLEXPG-c1-OUT - [0:0]",
				"-D DOCKER-USER -j FLEXPG-c1-FWD",
				"-I DOCKER-USER 1 -j FLEXPG-c1-FWD",
				"-D OUTPUT -j FLEXPG-c1-OUT",
				"-I OUTPUT 1 -j FLEXPG-c1-OUT",
				"COMMIT",
				"*nat",
				":FLEXPG-c1-NAT - [0:0]",
				"-D POSTROUTING -j FLEXPG-c1-NAT",
				"-I POSTROUTING 1 -j FLEXPG-c1-NAT",
				"COMMIT",
			),
		},
		{
			name:  "unmasked prefix is written masked; three subnets give six pairs",
			state: installedState(),
			vnets: []VNet{{Name: "x", Subnets: []Subnet{
				{Prefix: netip.MustParsePrefix("10.1.0.7/24"), Bridge: "b1"},
				{Prefix: netip.MustParsePrefix("10.2.0.0/24"), Bridge: "b2"},
				{Prefix: netip.MustParsePrefix("10.3.0.0/25"), Bridge: "b3"},
			}}},
			want: lines(
				"*filter",
				":FLEXPG-c1-FWD - [0:0]",
				":FLEXPG-c1-OUT - [0:0]",
				"-D DOCKER-USER -j FLEXPG-c1-FWD",
				"-I DOCKER-USER 1 -j FLEXPG-c1-FWD",
				"-D OUTPUT -j FLEXPG-c1-OUT",
				"-I OUTPUT 1 -j FLEXPG-c1-OUT",
				"-A FLEXPG-c1-FWD -s 10.1.0.0/24 -d 10.2.0.0/24 -i b1 -o b2 -j ACCEPT",
				"-A FLEXPG-c1-FWD -s 10.1.0.0/24 -d 10.3.0.0/25 -i b1 -o b3 -j ACCEPT",
				"-A FLEXPG-c1-FWD -s 10.2.0.0/24 -d 10.1.0.0/24 -i b2 -o b1 -j ACCEPT",
				"-A FLEXPG-c1-FWD -s 10.2.0.0/24 -d 10.3.0.0/25 -i b2 -o b3 -j ACCEPT",
				"-A FLEXPG-c1-FWD -s 10.3.0.0/25 -d 10.1.0.0/24 -i b3 -o b1 -j ACCEPT",
				"-A FLEXPG-c1-FWD -s 10.3.0.0/25 -d 10.2.0.0/24 -i b3 -o b2 -j ACCEPT",
				"-A FLEXPG-c1-OUT -d 10.1.0.0/24 -m mark --mark 0x464c -j ACCEPT",
				"-A FLEXPG-c1-OUT -d 10.1.0.0/24 -p tcp -m multiport --dports 5432,6432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
				"-A FLEXPG-c1-OUT -d 10.2.0.0/24 -m mark --mark 0x464c -j ACCEPT",
				"-A FLEXPG-c1-OUT -d 10.2.0.0/24 -p tcp -m multiport --dports 5432,6432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
				"-A FLEXPG-c1-OUT -d 10.3.0.0/25 -m mark --mark 0x464c -j ACCEPT",
				"-A FLEXPG-c1-OUT -d 10.3.0.0/25 -p tcp -m multiport --dports 5432,6432 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
				"COMMIT",
				"*nat",
				":FLEXPG-c1-NAT - [0:0]",
				"-D POSTROUTING -j FLEXPG-c1-NAT",
				"-I POSTROUTING 1 -j FLEXPG-c1-NAT",
				"-A FLEXPG-c1-NAT -s 10.1.0.0/24 -d 10.2.0.0/24 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.1.0.0/24 -d 10.3.0.0/25 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.2.0.0/24 -d 10.1.0.0/24 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.2.0.0/24 -d 10.3.0.0/25 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.3.0.0/25 -d 10.1.0.0/24 -j ACCEPT",
				"-A FLEXPG-c1-NAT -s 10.3.0.0/25 -d 10.2.0.0/24 -j ACCEPT",
				"COMMIT",
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderApply(testChains(t), tt.state, tt.vnets)
			if err != nil {
				t.Fatalf("renderApply: %v", err)
			}
			if got != tt.want {
				t.Errorf("renderApply =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderApplyDuplicateHooks(t *testing.T) {
	st := installedState()
	st["nat"].Jumps[[2]string{"POSTROUTING", "FLEXPG-c1-NAT"}] = 2
	got, err := renderApply(testChains(t), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "*nat\n:FLEXPG-c1-NAT - [0:0]\n-D POSTROUTING -j FLEXPG-c1-NAT\n-D POSTROUTING -j FLEXPG-c1-NAT\n-I POSTROUTING 1 -j FLEXPG-c1-NAT\nCOMMIT\n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("renderApply =\n%s\nwant it to end with\n%s", got, want)
	}
}

func TestRenderApplyRejectsUnsafeSubnets(t *testing.T) {
	tests := []struct {
		name   string
		subnet Subnet
	}{
		{"zero prefix", Subnet{Bridge: "br-x"}},
		{"ipv6", Subnet{Prefix: netip.MustParsePrefix("fd00::/64"), Bridge: "br-x"}},
		{"everything", Subnet{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Bridge: "br-x"}},
		{"loopback", Subnet{Prefix: netip.MustParsePrefix("127.0.0.0/8"), Bridge: "br-x"}},
		{"no bridge", Subnet{Prefix: netip.MustParsePrefix("10.0.0.0/24")}},
		{"wildcard bridge", Subnet{Prefix: netip.MustParsePrefix("10.0.0.0/24"), Bridge: "br+"}},
		{"injected rule", Subnet{Prefix: netip.MustParsePrefix("10.0.0.0/24"), Bridge: "br\n-F OUTPUT"}},
		{"bridge name too long", Subnet{Prefix: netip.MustParsePrefix("10.0.0.0/24"), Bridge: "br-0123456789abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vnets := []VNet{{Name: "v", Subnets: []Subnet{{Prefix: netip.MustParsePrefix("10.9.0.0/24"), Bridge: "ok"}, tt.subnet}}}
			if got, err := renderApply(testChains(t), installedState(), vnets); err == nil {
				t.Fatalf("renderApply accepted %+v:\n%s", tt.subnet, got)
			}
		})
	}
}

func TestRenderEnsure(t *testing.T) {
	tests := []struct {
		name  string
		state state
		want  string
	}{
		{
			name:  "fresh machine",
			state: emptyState(),
			want: lines(
				"*filter",
				"-N DOCKER-USER",
				"-N FLEXPG-c1-FWD",
				"-N FLEXPG-c1-OUT",
				"-I DOCKER-USER 1 -j FLEXPG-c1-FWD",
				"-I OUTPUT 1 -j FLEXPG-c1-OUT",
				"COMMIT",
				"*nat",
				"-N FLEXPG-c1-NAT",
				"-I POSTROUTING 1 -j FLEXPG-c1-NAT",
				"COMMIT",
			),
		},
		{name: "already installed: nothing to do", state: installedState(), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderEnsure(testChains(t), tt.state); got != tt.want {
				t.Errorf("renderEnsure =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderRemove(t *testing.T) {
	stray := installedState()
	// A second jump from an unexpected parent must go too, or the chain could not be deleted.
	stray["filter"].Jumps[[2]string{"FORWARD", "FLEXPG-c1-FWD"}] = 1
	tests := []struct {
		name  string
		state state
		want  string
	}{
		{
			name:  "installed",
			state: stray,
			want: lines(
				"*filter",
				"-D FORWARD -j FLEXPG-c1-FWD",
				"-D DOCKER-USER -j FLEXPG-c1-FWD",
				"-D OUTPUT -j FLEXPG-c1-OUT",
				"-F FLEXPG-c1-FWD",
				"-X FLEXPG-c1-FWD",
				"-F FLEXPG-c1-OUT",
				"-X FLEXPG-c1-OUT",
				"COMMIT",
				"*nat",
				"-D POSTROUTING -j FLEXPG-c1-NAT",
				"-F FLEXPG-c1-NAT",
				"-X FLEXPG-c1-NAT",
				"COMMIT",
			),
		},
		{name: "nothing left", state: emptyState(), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderRemove(testChains(t), tt.state); got != tt.want {
				t.Errorf("renderRemove =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
