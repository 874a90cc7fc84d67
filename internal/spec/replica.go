package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxReplicas is how many read replicas one primary may have (seed 004).
const MaxReplicas = 5

// CreateModeReplica is the API's create mode of a read replica. It is not a create_mode of flexpg_server:
// replicas are their own resource, flexpg_read_replica, which sends it.
const CreateModeReplica = "Replica"

// Replication roles of a read replica (replication_role). Setting Primary or None on a replica promotes it.
const (
	ReplicationRoleAsyncReplica = "AsyncReplica" // streams from its primary (the default)
	ReplicationRolePrimary      = "Primary"      // promoted to primary server: the roles swap; reversible
	ReplicationRoleNone         = "None"         // promoted to independent server: out of replication for good
)

// ReplicationRoles returns the values of replication_role.
func ReplicationRoles() []string {
	return []string{ReplicationRoleAsyncReplica, ReplicationRolePrimary, ReplicationRoleNone}
}

// Promote options (promote_option): how a promotion treats WAL the replica has not replayed yet.
const (
	PromoteOptionPlanned = "planned" // wait until the replica has everything the primary wrote: loses nothing
	PromoteOptionForced  = "forced"  // promote at once, skipping every check: loses at most the lag
)

// PromoteOptions returns the values of promote_option.
func PromoteOptions() []string { return []string{PromoteOptionPlanned, PromoteOptionForced} }

// Replication states (replication_state), in seed 004's table.
const (
	ReplicationStateReconfiguring = "Reconfiguring" // a promotion waits for the link between the two servers
	ReplicationStateProvisioning  = "Provisioning"  // the replica is being created; no connections yet
	ReplicationStateUpdating      = "Updating"      // configuration is prepared (create or promotion)
	ReplicationStateCatchup       = "Catchup"       // WAL is being applied
	ReplicationStateActive        = "Active"        // connected to its primary (also while stopped, once connected)
	ReplicationStateBroken        = "Broken"        // cannot reach its primary, or a promotion failed
)

// ReplicationStates returns the values of replication_state.
func ReplicationStates() []string {
	return []string{ReplicationStateReconfiguring, ReplicationStateProvisioning, ReplicationStateUpdating,
		ReplicationStateCatchup, ReplicationStateActive, ReplicationStateBroken}
}

// ActiveLagBytes is the most a new replica may lag its primary and count as created (seed 004: 1 GB).
const ActiveLagBytes = 1 << 30

// RecoveryParameters are the parameters a replica needs at least as high as its primary's, or its recovery
// runs out of shared memory (seed 004, "Server parameters" and "Scaling").
func RecoveryParameters() []string {
	return []string{"max_connections", "max_prepared_transactions", "max_locks_per_transaction",
		"max_wal_senders", "max_worker_processes"}
}

// ReplicaConfig is the desired configuration of a flexpg_read_replica. Empty values are inherited from the
// source at creation: Location, SKUName, StorageMB, and AutoGrow when nil; a private source's subnet and
// DNS zone when the replica is in the source's region.
type ReplicaConfig struct {
	Name, SourceServerID, Location, Zone, SKUName string
	StorageMB                                     int64
	AutoGrow                                      *bool
	DelegatedSubnetID, PrivateDNSZoneID           string
	ReplicationRole, PromoteOption                string
}

// ValidateReplica checks every rule of a replica's configuration that needs nothing but the configuration.
func ValidateReplica(c ReplicaConfig) FieldErrors {
	var errs FieldErrors
	requireThen(&errs, "name", c.Name, ValidateServerName)
	if c.SourceServerID == "" {
		errs.Add(required("source_server_id", "(the ID of the primary server to replicate)"))
	} else {
		errs.Add(ValidateServerIDField("source_server_id", c.SourceServerID))
	}
	if c.Location != "" {
		errs.Add(ValidateLocation(c.Location))
		errs.Add(ValidateZone(c.Location, c.Zone))
	}
	if c.SKUName != "" {
		errs.Add(ValidateSKUName(c.SKUName))
		if sku, ok := LookupSKU(c.SKUName); ok && sku.Tier == TierBurstable {
			errs.Add(NewFieldError("sku_name", KindNotBurstable,
				"cannot be a Burstable SKU (%s): read replicas are only available on the GeneralPurpose and MemoryOptimized tiers",
				c.SKUName))
		}
	}
	if c.StorageMB != 0 {
		errs.Add(ValidateStorageMB(c.StorageMB))
	}
	if c.ReplicationRole != "" {
		errs.Add(validateOneOf("replication_role", KindAllowedValues, c.ReplicationRole, ReplicationRoles()))
	}
	if c.PromoteOption != "" {
		errs.Add(validateOneOf("promote_option", KindAllowedValues, c.PromoteOption, PromoteOptions()))
	}
	validateReplicaNetwork(&errs, c)
	return errs
}

// validateReplicaNetwork: a subnet and a DNS zone go together, and each must be well formed.
func validateReplicaNetwork(errs *FieldErrors, c ReplicaConfig) {
	if c.DelegatedSubnetID != "" {
		if _, _, err := ParseSubnetID(c.DelegatedSubnetID); err != nil {
			errs.Add(NewFieldError("delegated_subnet_id", KindFormat,
				"must be a subnet ID of the form /virtualNetworks/<vnet>/subnets/<subnet>; got %s", quote(c.DelegatedSubnetID)))
		}
		if c.PrivateDNSZoneID == "" {
			errs.Add(required("private_dns_zone_id", "when delegated_subnet_id is set (private access)"))
		}
	} else if c.PrivateDNSZoneID != "" {
		errs.Add(required("delegated_subnet_id", "when private_dns_zone_id is set (private access)"))
	}
	if c.PrivateDNSZoneID != "" {
		if zone, err := ParsePrivateDNSZoneID(c.PrivateDNSZoneID); err != nil {
			errs.Add(NewFieldError("private_dns_zone_id", KindFormat,
				"must be a private DNS zone ID of the form /privateDnsZones/<zone>; got %s", quote(c.PrivateDNSZoneID)))
		} else {
			errs.Add(ValidatePrivateDNSZoneForServer(zone, c.Name))
		}
	}
}

// ValidateReplicaCreateRole: a replica is created replicating; it is promoted by a later change.
func ValidateReplicaCreateRole(role string) *FieldError {
	if role == "" || role == ReplicationRoleAsyncReplica {
		return nil
	}
	return NewFieldError("replication_role", KindRoleTransition,
		"must be AsyncReplica when the replica is created (got %s); promote it by changing replication_role afterwards", quote(role))
}

// ValidateReplicationRoleChange checks a change of replication_role. AsyncReplica → Primary promotes to
// primary server and Primary → AsyncReplica swaps the roles back; AsyncReplica → None promotes to an
// independent server, which is final.
func ValidateReplicationRoleChange(old, new string) *FieldError {
	if old == "" {
		old = ReplicationRoleAsyncReplica
	}
	if new == "" {
		new = ReplicationRoleAsyncReplica
	}
	switch {
	case old == new:
		return nil
	case old == ReplicationRoleNone:
		return NewFieldError("replication_role", KindRoleTransition,
			"cannot change from None: promotion to an independent server is irreversible; create a new flexpg_read_replica to replicate again")
	case old == ReplicationRolePrimary && new == ReplicationRoleNone:
		return NewFieldError("replication_role", KindRoleTransition,
			"cannot change from Primary to None: this server is the primary now; set AsyncReplica to swap the roles back, or promote its replica")
	}
	return nil
}

// ReplicaSource is what the rules need to know about the server a replica would replicate.
type ReplicaSource struct {
	Name      string
	SKUName   string
	StorageMB int64
	AutoGrow  bool
	// IsReplica is true when the source itself streams from another server (no cascading).
	IsReplica bool
	// Replicas is how many replicas it has already.
	Replicas int
}

// ValidateReplicaSource checks that the source may take one more replica.
func ValidateReplicaSource(src ReplicaSource) FieldErrors {
	var errs FieldErrors
	if sku, ok := LookupSKU(src.SKUName); ok && sku.Tier == TierBurstable {
		errs.Add(NewFieldError("source_server_id", KindNotBurstable,
			"names server %s, which is Burstable (%s): read replicas are only available for GeneralPurpose and MemoryOptimized servers; scale it up first",
			src.Name, src.SKUName))
	}
	if src.IsReplica {
		errs.Add(NewFieldError("source_server_id", KindNoCascading,
			"names server %s, which is a read replica itself: cascading replication is not supported; use its primary as the source",
			src.Name))
	}
	if src.Replicas >= MaxReplicas {
		errs.Add(NewFieldError("source_server_id", KindReplicaLimit,
			"names server %s, which has %d read replicas already, the most a server may have; delete one first",
			src.Name, src.Replicas))
	}
	return errs
}

// ReplicaCapacity is how many more replicas a server with n replicas may take; a replica or a Burstable
// server takes none.
func ReplicaCapacity(skuName string, isReplica bool, n int) int {
	if sku, ok := LookupSKU(skuName); isReplica || (ok && sku.Tier == TierBurstable) {
		return 0
	}
	return max(MaxReplicas-n, 0)
}

// Size is the compute and storage of a server, for the rules between a primary and its replicas.
type Size struct {
	SKUName   string
	StorageMB int64
}

// AtLeast reports whether s has at least the vCores, memory and storage of o.
func (s Size) AtLeast(o Size) bool {
	a, okA := LookupSKU(s.SKUName)
	b, okB := LookupSKU(o.SKUName)
	return okA && okB && a.VCores >= b.VCores && a.MemoryMiB >= b.MemoryMiB && s.StorageMB >= o.StorageMB
}

// ValidateReplicaSize checks a replica's compute, storage and auto-grow against its primary's: compute and
// storage at least the primary's, auto-grow equal (seed 004). It is the rule for a new replica and for a
// replica that scales.
func ValidateReplicaSize(primary Size, primaryAutoGrow bool, replica Size, replicaAutoGrow bool) FieldErrors {
	var errs FieldErrors
	a, _ := LookupSKU(replica.SKUName)
	b, _ := LookupSKU(primary.SKUName)
	if a.VCores < b.VCores || a.MemoryMiB < b.MemoryMiB {
		errs.Add(NewFieldError("sku_name", KindAtLeastSource,
			"%s (%d vCores, %d GiB) is smaller than the primary's %s (%d vCores, %d GiB): a replica's compute must be at least its primary's",
			replica.SKUName, a.VCores, a.MemoryMiB/gib, primary.SKUName, b.VCores, b.MemoryMiB/gib))
	}
	if replica.StorageMB < primary.StorageMB {
		errs.Add(NewFieldError("storage_mb", KindAtLeastSource,
			"%d is smaller than the primary's %d: a replica's storage must be at least its primary's", replica.StorageMB, primary.StorageMB))
	}
	if primaryAutoGrow != replicaAutoGrow {
		errs.Add(NewFieldError("auto_grow_enabled", KindEqualsSource,
			"must equal the primary's (%t): a replica's storage auto-grow matches its primary's", primaryAutoGrow))
	}
	return errs
}

// ValidatePrimaryScale checks a primary's new compute and storage against its replicas: the service scales
// a replica up before its primary, so a primary may never be larger than its smallest replica.
func ValidatePrimaryScale(primary Size, replicas map[string]Size) FieldErrors {
	var errs FieldErrors
	var smallerCompute, smallerStorage []string
	for name, r := range replicas {
		a, _ := LookupSKU(r.SKUName)
		b, _ := LookupSKU(primary.SKUName)
		if a.VCores < b.VCores || a.MemoryMiB < b.MemoryMiB {
			smallerCompute = append(smallerCompute, name)
		}
		if r.StorageMB < primary.StorageMB {
			smallerStorage = append(smallerStorage, name)
		}
	}
	slices.Sort(smallerCompute)
	slices.Sort(smallerStorage)
	if len(smallerCompute) > 0 {
		errs.Add(NewFieldError("sku_name", KindReplicasFirst,
			"%s would be larger than read replica %s: scale the replicas up first (a separate apply, e.g. -target), then the primary",
			primary.SKUName, strings.Join(smallerCompute, ", ")))
	}
	if len(smallerStorage) > 0 {
		errs.Add(NewFieldError("storage_mb", KindReplicasFirst,
			"%d would be larger than the storage of read replica %s: grow the replicas first, then the primary",
			primary.StorageMB, strings.Join(smallerStorage, ", ")))
	}
	return errs
}

// RecoveryParameterViolations compares the recovery parameters of a replica with its primary's and returns
// the ones where the replica's is lower, as errors on the parameter's name. Values are the effective values
// (overrides, else the SKU's derived value or the default); a parameter missing from either map is skipped.
// changingPrimary says which side the change being checked is on, so the message says what to change:
// replica is the replica's name.
func RecoveryParameterViolations(primary, replicaValues map[string]string, replica string, changingPrimary bool) FieldErrors {
	var errs FieldErrors
	for _, name := range RecoveryParameters() {
		p, okP := parseParamInt(primary[name])
		r, okR := parseParamInt(replicaValues[name])
		if !okP || !okR || r >= p {
			continue
		}
		if changingPrimary {
			errs.Add(NewFieldError(name, KindReplicasFirst,
				"would be %d on this primary, above %d on its read replica %s: a replica needs it at least as high as its primary's, "+
					"or its recovery runs out of shared memory; raise it on the replica first", p, r, replica))
			continue
		}
		errs.Add(NewFieldError(name, KindAtLeastSource,
			"would be %d on read replica %s and is %d on its primary: on a replica it must be at least the primary's, "+
				"or recovery runs out of shared memory", r, replica, p))
	}
	return errs
}

func parseParamInt(v string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}

// PromotionFacts is what decides whether a promotion may start.
type PromotionFacts struct {
	Role, Option string
	// Replica and Primary are the two servers' sizes and effective recovery parameters.
	Replica, Primary             Size
	ReplicaParams, PrimaryParams map[string]string
	// ReplicaReady and PrimaryReady say whether each server is Ready (Available): a planned promotion needs both.
	ReplicaReady, PrimaryReady bool
	// ReaderTargetsReplica says whether a virtual endpoint of the primary has this replica as its reader.
	ReaderTargetsReplica bool
}

// PromotionBlocked says why a promotion may not start (nil when it may). Forced skips every check, as the
// service's forced option does; planned needs both servers Ready, and a promotion to primary server also
// needs symmetry (same compute and storage, equal recovery parameters) and a virtual endpoint whose reader
// targets the replica.
func PromotionBlocked(f PromotionFacts) *FieldError {
	if f.Option == PromoteOptionForced {
		return nil
	}
	if !f.ReplicaReady || !f.PrimaryReady {
		return NewFieldError("promote_option", KindServersReady,
			"planned promotion needs the replica and its primary Ready; wait for them, or use promote_option = \"forced\" (which may lose the lag)")
	}
	if f.Role != ReplicationRolePrimary {
		return nil
	}
	if f.Replica.SKUName != f.Primary.SKUName || f.Replica.StorageMB != f.Primary.StorageMB {
		return NewFieldError("replication_role", KindSymmetry,
			"Primary (promote to primary server) needs the replica's compute and storage equal to the primary's (replica %s, %d MB; primary %s, %d MB); "+
				"make them equal, use replication_role = \"None\", or promote_option = \"forced\"",
			f.Replica.SKUName, f.Replica.StorageMB, f.Primary.SKUName, f.Primary.StorageMB)
	}
	for _, name := range RecoveryParameters() {
		if f.ReplicaParams[name] != f.PrimaryParams[name] {
			return NewFieldError("replication_role", KindSymmetry,
				"Primary (promote to primary server) needs %s equal on both servers (replica %s, primary %s): parameters that size shared memory must match",
				name, f.ReplicaParams[name], f.PrimaryParams[name])
		}
	}
	if !f.ReaderTargetsReplica {
		return NewFieldError("replication_role", KindEndpointReader,
			"Primary (promote to primary server) needs a virtual endpoint on the primary whose reader (replica_server_id) targets this replica; "+
				"create one, point it here, or use promote_option = \"forced\"")
	}
	return nil
}

// DeleteBlockedByReplicas says why a server with replicas cannot be deleted ("" when it has none).
func DeleteBlockedByReplicas(server string, replicas []string) string {
	if len(replicas) == 0 {
		return ""
	}
	sorted := slices.Clone(replicas)
	slices.Sort(sorted)
	return fmt.Sprintf("server %s has read replicas (%s): delete them first", server, strings.Join(sorted, ", "))
}
