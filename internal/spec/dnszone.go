package spec

import "strings"

// DNS name limits (RFC 1035).
const (
	MaxDNSNameLength  = 253
	MaxDNSLabelLength = 63
)

// Name resolution of a private-access server. The cloud's DNS server answers, for clients in the server's
// own virtual network and in every virtual network linked to the server's private DNS zone:
//   - <server>.postgres.flexpg.internal (ServerFQDN), the name users should connect to, and
//   - <server>.<zone> (DNSRecordName), the A record the server gets in its zone,
//
// both with the server's private address in its delegated subnet (the current primary's, across failovers).
// Clients elsewhere, including processes on the host, get no answer for a private server: it has no public
// endpoint.

// DNSRecordName is the name of the A record a private-access server gets in its private DNS zone.
func DNSRecordName(serverName, zone string) string { return serverName + "." + zone }

// NormalizeDNSZoneName returns the form zone names are compared and stored in. DNS names are
// case-insensitive, so "DB.postgres.flexpg.internal" and "db.postgres.flexpg.internal" are the same zone.
func NormalizeDNSZoneName(v string) string { return strings.ToLower(v) }

// ValidatePrivateDNSZoneName checks a private DNS zone's name: a DNS name of at least two labels, each 1–63
// letters, digits and hyphens and not starting or ending with a hyphen, 253 characters at most, written
// without a trailing period. Any such name is a valid zone; a zone used by a server has more rules
// (ValidatePrivateDNSZoneForServer).
func ValidatePrivateDNSZoneName(v string) *FieldError { return validateDNSName("name", v) }

func validateDNSName(field, v string) *FieldError {
	if hasControl(v) || !onlyBytes(v, func(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }) {
		return NewFieldError(field, KindCharacters,
			"may contain only letters, digits, hyphens and the periods between labels; got %s", quote(v))
	}
	if v == "" || len(v) > MaxDNSNameLength {
		return NewFieldError(field, KindLength, "must be 1 to %d characters long; got %d characters",
			MaxDNSNameLength, len(v))
	}
	if strings.HasSuffix(v, ".") && v != "." {
		return NewFieldError(field, KindTrailingPeriod, "must be written without a trailing period; got %s (write %s)",
			quote(v), quote(strings.TrimRight(v, ".")))
	}
	labels := strings.Split(v, ".")
	if len(labels) < 2 {
		return NewFieldError(field, KindLabels,
			"must have at least two labels separated by periods, such as db.%s; got %s", DNSSuffix, quote(v))
	}
	for _, l := range labels {
		switch {
		case l == "":
			return NewFieldError(field, KindEmptyLabel,
				"must not contain an empty label (a leading period or two periods in a row); got %s", quote(v))
		case len(l) > MaxDNSLabelLength:
			return NewFieldError(field, KindLabelLength, "must have labels of 1 to %d characters; label %s has %d",
				MaxDNSLabelLength, quote(l), len(l))
		case l[0] == '-' || l[len(l)-1] == '-':
			return NewFieldError(field, KindLabelHyphen,
				"must not have a label that starts or ends with a hyphen; got label %s in %s", quote(l), quote(v))
		}
	}
	return nil
}

// ValidatePrivateDNSZoneForServer checks the zone (a zone name, not an ID) a private-access server uses: a
// DNS name ending in "." + DNSSuffix that is not the server's own FQDN (which the cloud already answers) and
// not at or under the names the cloud keeps for virtual endpoints. serverName "" (not known yet) skips the
// FQDN rule. Names are compared lowercased.
func ValidatePrivateDNSZoneForServer(zone string, serverName string) *FieldError {
	const field = "private_dns_zone_id"
	if e := validateDNSName(field, zone); e != nil {
		return e
	}
	z := NormalizeDNSZoneName(zone)
	if !strings.HasSuffix(z, "."+DNSSuffix) {
		return NewFieldError(field, KindSuffix,
			"must name a private DNS zone whose name ends in .%s, such as private.%s; got zone %s",
			DNSSuffix, DNSSuffix, quote(zone))
	}
	if serverName != "" && z == NormalizeDNSZoneName(ServerFQDN(serverName)) {
		return NewFieldError(field, KindServerFqdn,
			"must not name the zone %s, which is the server's own FQDN; use another zone such as private.%s",
			quote(zone), DNSSuffix)
	}
	for _, ns := range endpointNamespaces() {
		if z == ns || strings.HasSuffix(z, "."+ns) {
			return NewFieldError(field, KindEndpointNamespace,
				"must not name a zone at or under %s, where the cloud keeps the names of virtual endpoints; got zone %s",
				ns, quote(zone))
		}
	}
	return nil
}

// endpointNamespaces returns the domains of virtual endpoint names (<name>.writer.<suffix> and
// <name>.reader.<suffix>). A zone there would give a server's record the name of an endpoint.
func endpointNamespaces() []string {
	return []string{"writer." + DNSSuffix, "reader." + DNSSuffix}
}
