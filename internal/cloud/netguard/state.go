package netguard

import "strings"

// tableState is what one table holds, as far as it concerns us: which user chains exist, how many plain
// jumps ("-A PARENT -j CHAIN") each parent has to each chain, and every chain in listing order (so what is
// generated from a state is deterministic).
type tableState struct {
	Chains map[string]bool
	Jumps  map[[2]string]int // {parent, chain} -> count
	Order  []string
}

// state is the parsed listing of every table we touch, by table name.
type state map[string]tableState

func (s state) hasChain(table, chain string) bool { return s[table].Chains[chain] }

func (s state) jumps(table, parent, chain string) int {
	return s[table].Jumps[[2]string{parent, chain}]
}

// parentCount is how many jumps one parent chain has to some chain.
type parentCount struct {
	Parent string
	Count  int
}

// jumpsTo lists every parent with jumps to chain, in listing order.
func (s state) jumpsTo(table, chain string) []parentCount {
	var out []parentCount
	for _, parent := range s[table].Order {
		if n := s.jumps(table, parent, chain); n > 0 {
			out = append(out, parentCount{parent, n})
		}
	}
	return out
}

// parseTable reads the output of `iptables -t TABLE -S`.
func parseTable(listing string) tableState {
	ts := tableState{Chains: map[string]bool{}, Jumps: map[[2]string]int{}}
	for _, line := range strings.Split(listing, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "-P":
			ts.Order = append(ts.Order, f[1])
		case len(f) == 2 && f[0] == "-N":
			ts.Chains[f[1]] = true
			ts.Order = append(ts.Order, f[1])
		case len(f) == 4 && f[0] == "-A" && f[2] == "-j":
			ts.Jumps[[2]string{f[1], f[3]}]++
		}
	}
	return ts
}
