package netguard

import (
	"fmt"
	"net/netip"
)

// VNet is one virtual network: the subnets whose containers may talk to each other.
type VNet struct {
	Name    string
	Subnets []Subnet
}

// Subnet is one subnet of a VNet: its address range and the host bridge interface of its Docker network.
type Subnet struct {
	Prefix netip.Prefix
	Bridge string
}

// maxInterfaceName is the kernel's limit on interface names (IFNAMSIZ minus the terminating NUL).
const maxInterfaceName = 15

// validate refuses anything that could widen a rule beyond the subnet it names: a bridge name with the
// iptables wildcard "+" would match every bridge, a /0 prefix every address, and a name with spaces or line
// breaks would inject text into the iptables-restore input.
func (s Subnet) validate() error {
	if !s.Prefix.IsValid() || !s.Prefix.Addr().Is4() {
		return fmt.Errorf("netguard: subnet %q: not an IPv4 prefix", s.Prefix)
	}
	if s.Prefix.Bits() == 0 {
		return fmt.Errorf("netguard: subnet %s: a /0 prefix would match every address", s.Prefix)
	}
	if s.Prefix.Addr().IsLoopback() {
		return fmt.Errorf("netguard: subnet %s: loopback is not a subnet", s.Prefix)
	}
	if !validName(s.Bridge, maxInterfaceName) {
		return fmt.Errorf("netguard: subnet %s: bad bridge interface name %q", s.Prefix, s.Bridge)
	}
	return nil
}

func validateVNets(vnets []VNet) error {
	for _, v := range vnets {
		for _, s := range v.Subnets {
			if err := s.validate(); err != nil {
				return fmt.Errorf("vnet %q: %w", v.Name, err)
			}
		}
	}
	return nil
}

// validName reports whether s is 1..max characters of letters, digits, '-', '_' and '.'.
func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}
