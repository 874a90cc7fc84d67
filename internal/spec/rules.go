package spec

import "strings"

// RuleKind names one rule a field can break ("required", "immutable", "allowed_sizes", ...). Every kind is a
// constant here, so callers compare typed values instead of matching text.
type RuleKind string

// Rule kinds.
const (
	KindAllowedForSize      RuleKind = "allowed_for_size"
	KindAllowedSizes        RuleKind = "allowed_sizes"
	KindAllowedValues       RuleKind = "allowed_values"
	KindAtLeastSource       RuleKind = "at_least_source" // a replica's size or recovery parameter is below its primary's
	KindCanonical           RuleKind = "canonical"
	KindCatalog             RuleKind = "catalog"
	KindCharacters          RuleKind = "characters"
	KindCharsetMatch        RuleKind = "charset_match"
	KindComplexity          RuleKind = "complexity"
	KindCoversSubnets       RuleKind = "covers_subnets"
	KindDelegation          RuleKind = "delegation"
	KindDiffersFromZone     RuleKind = "differs_from_zone"
	KindDuplicate           RuleKind = "duplicate"
	KindEmptyLabel          RuleKind = "empty_label"
	KindEndpointNamespace   RuleKind = "endpoint_namespace"
	KindEndpointReader      RuleKind = "endpoint_reader"
	KindEqualsSource        RuleKind = "equals_source"
	KindExists              RuleKind = "exists"
	KindFailoverOnly        RuleKind = "failover_only" // the zones of a server with HA change only by failing over
	KindFormat              RuleKind = "format"
	KindGeoPair             RuleKind = "geo_pair" // geo-redundant backups live in the region's pair
	KindIPv4Format          RuleKind = "ipv4_format"
	KindIPv4Only            RuleKind = "ipv4_only"
	KindImmutable           RuleKind = "immutable"
	KindInUse               RuleKind = "in_use"
	KindLabelHyphen         RuleKind = "label_hyphen"
	KindLabelLength         RuleKind = "label_length"
	KindLabels              RuleKind = "labels"
	KindLength              RuleKind = "length"
	KindNoCascading         RuleKind = "no_cascading"
	KindNoDowngrade         RuleKind = "no_downgrade"
	KindNoShrink            RuleKind = "no_shrink"
	KindNotBeforeStart      RuleKind = "not_before_start"
	KindNotBurstable        RuleKind = "not_burstable"
	KindNotReplica          RuleKind = "not_replica" // no backups (so no restore) of a read replica
	KindOverlap             RuleKind = "overlap"
	KindPrefixLength        RuleKind = "prefix_length"
	KindPrivateRange        RuleKind = "private_range"
	KindPrivateServer       RuleKind = "private_server"
	KindProtocolOrder       RuleKind = "protocol_order"
	KindRange               RuleKind = "range"
	KindReadOnly            RuleKind = "read_only"
	KindRegion              RuleKind = "region"
	KindRegionZones         RuleKind = "region_zones"
	KindReplicaLimit        RuleKind = "replica_limit"
	KindReplicasFirst       RuleKind = "replicas_first" // a primary may not outgrow its replicas: scale them first
	KindRequired            RuleKind = "required"
	KindReserved            RuleKind = "reserved"
	KindReservedPrefix      RuleKind = "reserved_prefix"
	KindRestoreOnly         RuleKind = "restore_only"
	KindRestoreStandalone   RuleKind = "restore_standalone" // a restore creates a server without HA
	KindRestoreWindow       RuleKind = "restore_window"     // the target lies outside what the backups can restore
	KindRoleTransition      RuleKind = "role_transition"
	KindSameZone            RuleKind = "same_zone"
	KindServerFqdn          RuleKind = "server_fqdn"
	KindServersReady        RuleKind = "servers_ready"
	KindStart               RuleKind = "start"
	KindStartEnd            RuleKind = "start_end"
	KindSuffix              RuleKind = "suffix"
	KindSupported           RuleKind = "supported"
	KindSymmetry            RuleKind = "symmetry"
	KindTrailingPeriod      RuleKind = "trailing_period"
	KindUnknown             RuleKind = "unknown"
	KindUnsupported         RuleKind = "unsupported"
	KindUpgradeUnsupported  RuleKind = "upgrade_unsupported"
	KindWithinAddressSpace  RuleKind = "within_address_space"
	KindZoneRedundantRegion RuleKind = "zone_redundant_region"
)

// RuleID identifies a broken rule of a field: "<field>.<kind>", e.g. "storage_mb.allowed_sizes". The API
// reports it, and tests and callers compare it with Rule(field, kind).
type RuleID string

// Rule is the ID of rule kind on field.
func Rule(field string, kind RuleKind) RuleID { return RuleID(field + "." + string(kind)) }

// Kind is the rule part of the ID.
func (id RuleID) Kind() RuleKind {
	s := string(id)
	return RuleKind(s[strings.LastIndex(s, ".")+1:])
}

// Field is the field part of the ID.
func (id RuleID) Field() string {
	s := string(id)
	if i := strings.LastIndex(s, "."); i >= 0 {
		return s[:i]
	}
	return ""
}

// PlansReplacement says whether breaking the rule is a change a plan carries out by replacing the resource
// (the provider marks it RequiresReplace or plans a replacement) rather than an error.
func (k RuleKind) PlansReplacement() bool {
	return k == KindImmutable || k == KindNoDowngrade
}
