package validators

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Bounds of the IPv4 space: each address validator pairs its value with the bound that can never make the
// range inverted, so only the address's own format rule can fire. start ≤ end is checked by the resource.
const (
	lowestIPv4  = "0.0.0.0"
	highestIPv4 = "255.255.255.255"
)

// ipv4Description is shared by both ends of a firewall range.
const ipv4Description = "must be an IPv4 address in dotted-quad form (IPv6 is not supported)"

// ServerID checks that the attribute named field holds a server ID (/flexibleServers/<name>).
func ServerID(field string) validator.String {
	return stringRule{
		description: "must be a server ID of the form `/" + spec.CollectionServers + "/<name>`",
		check:       func(v string) *spec.FieldError { return spec.ValidateServerIDField(field, v) },
	}
}

// FirewallRuleName checks flexpg_firewall_rule.name.
func FirewallRuleName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be 1 to %d letters, digits, underscores, hyphens and periods",
			spec.MaxFirewallRuleNameLength),
		check: spec.ValidateFirewallRuleName,
	}
}

// StartIPAddress checks start_ip_address on its own.
func StartIPAddress() validator.String {
	return stringRule{
		description: ipv4Description,
		check: func(v string) *spec.FieldError {
			return only(spec.ValidateFirewallRange(v, highestIPv4), "start_ip_address")
		},
	}
}

// EndIPAddress checks end_ip_address on its own.
func EndIPAddress() validator.String {
	return stringRule{
		description: ipv4Description,
		check: func(v string) *spec.FieldError {
			return only(spec.ValidateFirewallRange(lowestIPv4, v), "end_ip_address")
		},
	}
}

// DatabaseName checks flexpg_database.name.
func DatabaseName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be 1 to %d letters, digits, underscores and hyphens, starting with a "+
			"letter or underscore; must not be one of %s", spec.MaxDatabaseNameLength,
			spec.MarkdownList(spec.ReservedDatabaseNames())),
		check: spec.ValidateDatabaseName,
	}
}

// Charset checks a database charset (case-insensitive).
func Charset() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.Charsets()) + " (case-insensitive)",
		check:       spec.ValidateCharset,
	}
}

// Collation checks a database collation.
func Collation() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.Collations()),
		check:       spec.ValidateCollation,
	}
}

// ParameterName checks that a configuration name is a server parameter of the catalog. Its value depends on
// the name, so flexpg_server_configuration checks the value in ValidateConfig.
func ParameterName() validator.String {
	return stringRule{
		description: "must be a server parameter of the service's catalog (names are case-sensitive)",
		check:       spec.ValidateParameterName,
	}
}
