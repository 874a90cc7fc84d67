package netguard

import "fmt"

// Standard chains the hooks hang from. DOCKER-USER is Docker's place for user rules: FORWARD jumps to it
// before Docker's isolation chains, so an ACCEPT there lets traffic between two bridges through.
const (
	dockerUserChain  = "DOCKER-USER"
	postroutingChain = "POSTROUTING"
	outputChain      = "OUTPUT"
)

// maxShortID keeps chain names ("FLEXPG-" + id + "-FWD") well within iptables' 28-character limit.
const maxShortID = 16

// chainSet names the three chains of one cloud.
type chainSet struct {
	Forward string // filter: forwarding between subnets of one VNet, jumped to from DOCKER-USER
	NAT     string // nat: no masquerading between subnets of one VNet, jumped to from POSTROUTING
	Output  string // filter: host connections to private servers, jumped to from OUTPUT
}

func chainNames(shortID string) (chainSet, error) {
	if !validName(shortID, maxShortID) {
		return chainSet{}, fmt.Errorf("netguard: bad cloud short ID %q (1-%d letters, digits, '-', '_', '.')", shortID, maxShortID)
	}
	prefix := "FLEXPG-" + shortID
	return chainSet{Forward: prefix + "-FWD", NAT: prefix + "-NAT", Output: prefix + "-OUT"}, nil
}

// hook is one jump from a standard chain into one of ours.
type hook struct {
	Table  string
	Parent string
	Chain  string
}

// hooks lists the jumps of a chain set, in the order they are placed.
func (c chainSet) hooks() []hook {
	return []hook{
		{Table: "filter", Parent: dockerUserChain, Chain: c.Forward},
		{Table: "filter", Parent: outputChain, Chain: c.Output},
		{Table: "nat", Parent: postroutingChain, Chain: c.NAT},
	}
}

// owned lists our chains per table.
func (c chainSet) owned(table string) []string {
	switch table {
	case "filter":
		return []string{c.Forward, c.Output}
	case "nat":
		return []string{c.NAT}
	default:
		return nil
	}
}

// tables are the iptables tables we touch, in the order restore input lists them.
var tables = []string{"filter", "nat"}
