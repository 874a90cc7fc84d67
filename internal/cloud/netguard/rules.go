package netguard

import (
	"fmt"
	"strings"
)

// Private server ports the host may not reach without the management mark: PostgreSQL and PgBouncer.
const privatePorts = "5432,6432"

// forwardRules lets every subnet of a VNet forward to every other subnet of the same VNet. Both directions
// get a rule, so replies (conntrack ESTABLISHED/RELATED) pass as well. Anything not accepted here falls back
// to DOCKER-USER and on to Docker's isolation chains, which keep other bridges apart.
func forwardRules(chain string, vnets []VNet) []string {
	var out []string
	eachPair(vnets, func(from, to Subnet) {
		out = append(out, fmt.Sprintf("-A %s -s %s -d %s -i %s -o %s -j ACCEPT",
			chain, from.Prefix.Masked(), to.Prefix.Masked(), from.Bridge, to.Bridge))
	})
	return out
}

// natRules keeps Docker's MASQUERADE away from traffic between subnets of one VNet, so servers see the
// client's real address (which pg_hba and firewall rules depend on). It must be ACCEPT, not RETURN: a RETURN
// would only go back to POSTROUTING and on to Docker's "-s SUBNET ! -o BRIDGE -j MASQUERADE"; ACCEPT ends the
// nat table's POSTROUTING walk for the connection without any translation.
func natRules(chain string, vnets []VNet) []string {
	var out []string
	eachPair(vnets, func(from, to Subnet) {
		out = append(out, fmt.Sprintf("-A %s -s %s -d %s -j ACCEPT", chain, from.Prefix.Masked(), to.Prefix.Masked()))
	})
	return out
}

// outputRules refuses new connections from host processes to private server ports in every subnet, with a
// TCP reset so the caller fails at once, unless the socket carries the management mark. Other ports, and
// replies to connections that containers open to the host (DNS on the bridge address), are left alone.
func outputRules(chain string, vnets []VNet) []string {
	var out []string
	for _, v := range vnets {
		for _, s := range v.Subnets {
			p := s.Prefix.Masked()
			out = append(out,
				fmt.Sprintf("-A %s -d %s -m mark --mark %#x -j ACCEPT", chain, p, ManagementMark),
				fmt.Sprintf("-A %s -d %s -p tcp -m multiport --dports %s -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset",
					chain, p, privatePorts))
		}
	}
	return out
}

// eachPair calls fn for every ordered pair of distinct subnets within each VNet.
func eachPair(vnets []VNet, fn func(from, to Subnet)) {
	for _, v := range vnets {
		for i, from := range v.Subnets {
			for j, to := range v.Subnets {
				if i != j {
					fn(from, to)
				}
			}
		}
	}
}

// restoreInput builds iptables-restore input (for --noflush) from per-table lines, skipping empty tables.
func restoreInput(lines map[string][]string) string {
	var b strings.Builder
	for _, table := range tables {
		if len(lines[table]) == 0 {
			continue
		}
		b.WriteString("*" + table + "\n")
		for _, l := range lines[table] {
			b.WriteString(l + "\n")
		}
		b.WriteString("COMMIT\n")
	}
	return b.String()
}

// renderEnsure creates whatever chains and hooks are missing and changes nothing that exists, so a cloud
// that restarts keeps its old rules in force until its first Apply.
func renderEnsure(c chainSet, st state) string {
	lines := map[string][]string{}
	if !st.hasChain("filter", dockerUserChain) {
		// Docker creates it too (and then hooks it from FORWARD); creating it first is harmless.
		lines["filter"] = append(lines["filter"], "-N "+dockerUserChain)
	}
	for _, table := range tables {
		for _, chain := range c.owned(table) {
			if !st.hasChain(table, chain) {
				lines[table] = append(lines[table], "-N "+chain)
			}
		}
	}
	for _, h := range c.hooks() {
		if st.jumps(h.Table, h.Parent, h.Chain) == 0 {
			lines[h.Table] = append(lines[h.Table], fmt.Sprintf("-I %s 1 -j %s", h.Parent, h.Chain))
		}
	}
	return restoreInput(lines)
}

// renderApply replaces the content of our chains and moves each hook to the top of its parent, in one
// restore per table. Moving the hooks matters for POSTROUTING: Docker inserts the MASQUERADE rule of every
// new network at the top, above our jump, and only a jump placed before it can exempt the traffic.
func renderApply(c chainSet, st state, vnets []VNet) (string, error) {
	if err := validateVNets(vnets); err != nil {
		return "", err
	}
	lines := map[string][]string{}
	if !st.hasChain("filter", dockerUserChain) {
		lines["filter"] = append(lines["filter"], "-N "+dockerUserChain)
	}
	for _, table := range tables {
		for _, chain := range c.owned(table) {
			// With --noflush, declaring a chain creates it or, when it exists, empties it.
			lines[table] = append(lines[table], fmt.Sprintf(":%s - [0:0]", chain))
		}
	}
	for _, h := range c.hooks() {
		for range st.jumps(h.Table, h.Parent, h.Chain) {
			lines[h.Table] = append(lines[h.Table], fmt.Sprintf("-D %s -j %s", h.Parent, h.Chain))
		}
		lines[h.Table] = append(lines[h.Table], fmt.Sprintf("-I %s 1 -j %s", h.Parent, h.Chain))
	}
	lines["filter"] = append(lines["filter"], forwardRules(c.Forward, vnets)...)
	lines["filter"] = append(lines["filter"], outputRules(c.Output, vnets)...)
	lines["nat"] = append(lines["nat"], natRules(c.NAT, vnets)...)
	return restoreInput(lines), nil
}

// renderRemove deletes every jump to our chains (from any parent) and then the chains themselves. It
// returns "" when there is nothing to remove.
func renderRemove(c chainSet, st state) string {
	lines := map[string][]string{}
	for _, table := range tables {
		for _, chain := range c.owned(table) {
			for _, pc := range st.jumpsTo(table, chain) {
				for range pc.Count {
					lines[table] = append(lines[table], fmt.Sprintf("-D %s -j %s", pc.Parent, chain))
				}
			}
		}
		for _, chain := range c.owned(table) {
			if st.hasChain(table, chain) {
				lines[table] = append(lines[table], "-F "+chain, "-X "+chain)
			}
		}
	}
	return restoreInput(lines)
}
