package spec

import (
	"slices"
	"strings"
)

// DelegationFlexibleServers is the subnet delegation that reserves a subnet for flexible servers. A server can
// only be placed in a subnet delegated this way.
const DelegationFlexibleServers = "Microsoft.DBforPostgreSQL/flexibleServers"

// Delegations returns the delegation values the simulated cloud accepts on a subnet. The cloud only runs
// flexible servers, so this is the one service a subnet can be delegated to; an empty delegation (a subnet
// that never holds servers) is accepted as well and is not listed.
func Delegations() []string { return []string{DelegationFlexibleServers} }

// ReservedSubnetNames returns the subnet names the platform keeps for its own gateways and firewalls
// (compared case-insensitively, as the service does).
func ReservedSubnetNames() []string {
	return []string{"AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet", "GatewaySubnet"}
}

// Name limits of the network resources (the service's rules).
const (
	MinVirtualNetworkNameLength = 2
	MaxVirtualNetworkNameLength = 64
	MaxSubnetNameLength         = 80
	MaxLinkNameLength           = 80
)

// azureName describes one of the service's resource-name rules: a length range over letters, digits,
// underscores, periods and hyphens, with a restricted first and last character.
type azureName struct {
	min, max       int
	startOK, endOK func(byte) bool
	startDoc       string
	endDoc         string
}

func isAlnum(c byte) bool           { return isASCIILetter(c) || isASCIIDigit(c) }
func isAlnumUnderscore(c byte) bool { return isAlnum(c) || c == '_' }
func isAzureNameByte(c byte) bool   { return isAlnum(c) || c == '_' || c == '.' || c == '-' }

// check applies the rule to v in field. The first and last characters are restricted so a name is never "."
// or "..", which would be cleaned away as a path segment of the resource's ID.
func (n azureName) check(field, v string) *FieldError {
	if hasControl(v) || !onlyBytes(v, isAzureNameByte) {
		return NewFieldError(field, KindCharacters,
			"may contain only letters, digits, underscores, periods and hyphens; got %s", quote(v))
	}
	if len(v) < n.min || len(v) > n.max {
		return NewFieldError(field, KindLength, "must be %d to %d characters long; got %d characters (%s)",
			n.min, n.max, len(v), quote(v))
	}
	if !n.startOK(v[0]) || !n.endOK(v[len(v)-1]) {
		return NewFieldError(field, KindStartEnd, "must start with %s and end with %s; got %s",
			n.startDoc, n.endDoc, quote(v))
	}
	return nil
}

var (
	virtualNetworkName = azureName{MinVirtualNetworkNameLength, MaxVirtualNetworkNameLength,
		isAlnum, isAlnumUnderscore, "a letter or digit", "a letter, digit or underscore"}
	subnetName = azureName{1, MaxSubnetNameLength,
		isAlnum, isAlnumUnderscore, "a letter or digit", "a letter, digit or underscore"}
	linkName = azureName{1, MaxLinkNameLength,
		isAlnumUnderscore, isAlnumUnderscore, "a letter, digit or underscore", "a letter, digit or underscore"}
)

// ValidateVirtualNetworkName checks a virtual network's name: 2–64 letters, digits, underscores, periods and
// hyphens, starting with a letter or digit and ending with a letter, digit or underscore.
func ValidateVirtualNetworkName(v string) *FieldError { return virtualNetworkName.check("name", v) }

// ValidateSubnetName checks a subnet's name: 1–80 characters under the virtual network rules, and not one of
// ReservedSubnetNames in any case.
func ValidateSubnetName(v string) *FieldError {
	if e := subnetName.check("name", v); e != nil {
		return e
	}
	for _, reserved := range ReservedSubnetNames() {
		if strings.EqualFold(v, reserved) {
			return NewFieldError("name", KindReserved,
				"%s is reserved by the platform for its own gateways and firewalls (reserved subnet names, in any case: %s); choose another name",
				quote(v), joinValues(ReservedSubnetNames()))
		}
	}
	return nil
}

// ValidateLinkName checks a private DNS zone virtual network link's name: 1–80 letters, digits, underscores,
// periods and hyphens, starting and ending with a letter, digit or underscore.
func ValidateLinkName(v string) *FieldError { return linkName.check("name", v) }

// ValidateDelegation checks a subnet's delegation: one of Delegations, or empty for a subnet that will never
// hold servers. Service names are case-sensitive here, so a wrongly cased value gets a hint.
func ValidateDelegation(v string) *FieldError {
	if v == "" || inList(v, Delegations()) {
		return nil
	}
	hint := ""
	for _, d := range Delegations() {
		if strings.EqualFold(d, v) {
			hint = "; did you mean " + d + "? (the value is case-sensitive)"
		}
	}
	return NewFieldError("delegation", KindAllowedValues,
		"must be %s (the only service the cloud delegates subnets to), or left empty for a subnet that holds no servers; got %s%s",
		joinValues(Delegations()), quote(v), hint)
}

// ValidateDelegationChange refuses removing or changing the delegation of a subnet that servers use (named in
// holdsServers): a server can only live in a subnet delegated to flexible servers.
func ValidateDelegationChange(oldDelegation, newDelegation string, holdsServers []string) *FieldError {
	if oldDelegation == newDelegation || len(holdsServers) == 0 {
		return nil
	}
	return NewFieldError("delegation", KindInUse,
		"cannot change from %s to %s while servers use the subnet (%s); delete those servers first",
		quote(oldDelegation), quote(newDelegation), joinValues(slices.Sorted(slices.Values(holdsServers))))
}
