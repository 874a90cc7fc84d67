package spec

// The field tables of flexpg_read_replica and flexpg_virtual_endpoint: which changes replace them. The
// provider derives RequiresReplace and the docs' "Changing it replaces ..." sentences from them (see
// fields.go), so the plan, the docs and the cloud's refusals of an in-place change name the same fields.

// replicaFields is the flexpg_read_replica table. A replica streams from the server it was created from, in
// the region, zone and network it was created in; its size, roles and tags change in place (a change of
// replication_role is a promotion, checked by ValidateReplicationRoleChange).
var replicaFields = resourceFields[ReplicaConfig]{noun: "read replica", fields: []fieldOf[ReplicaConfig]{
	identity[ReplicaConfig]("name"),
	immutable("source_server_id", func(c ReplicaConfig) any { return c.SourceServerID },
		"a read replica is created from its source and cannot be moved to another one"),
	immutable("location", func(c ReplicaConfig) any { return c.Location }, "a read replica lives in the region it was created in"),
	immutable("zone", func(c ReplicaConfig) any { return c.Zone },
		"a read replica has one instance, which stays in the availability zone it was created in"),
	mutable("sku_name", func(c ReplicaConfig) any { return c.SKUName }),
	mutable("storage_mb", func(c ReplicaConfig) any { return c.StorageMB }),
	mutable("auto_grow_enabled", func(c ReplicaConfig) any { return c.AutoGrow }),
	immutable("delegated_subnet_id", func(c ReplicaConfig) any { return c.DelegatedSubnetID },
		"a read replica's network mode (public or private access) and its subnet are fixed when it is created"),
	immutable("private_dns_zone_id", func(c ReplicaConfig) any { return c.PrivateDNSZoneID },
		"a private read replica's DNS zone is fixed when it is created"),
	mutable("replication_role", func(c ReplicaConfig) any { return c.ReplicationRole }),
	mutable("promote_option", func(c ReplicaConfig) any { return c.PromoteOption }),
	mutable[ReplicaConfig]("tags", nil),
}}

// ReplicaFields lists every flexpg_read_replica input attribute.
func ReplicaFields() Table { return replicaFields.table() }

// ValidateReplicaUpdate checks the rules of a change of an existing replica that need both its current
// configuration (old, as the cloud reports it) and the desired one (new): no immutable field changes,
// storage does not shrink, and replication_role changes only the ways ValidateReplicationRoleChange allows.
// Rules of new alone are ValidateReplica's; rules against the primary need the cloud's state.
func ValidateReplicaUpdate(old, new ReplicaConfig) FieldErrors {
	errs := replicaFields.immutableChanges(old, new)
	errs.Add(validateNoShrink(old.StorageMB, new.StorageMB))
	errs.Add(ValidateReplicationRoleChange(old.ReplicationRole, new.ReplicationRole))
	return errs
}

// virtualEndpointFields is the flexpg_virtual_endpoint table. The endpoint lives under the server it was
// created on (its ID is /flexibleServers/<source>/virtualEndpoints/<name>), so its name and source name
// another endpoint; the reader's target moves in place.
var virtualEndpointFields = resourceFields[VirtualEndpointConfig]{noun: "virtual endpoint", fields: []fieldOf[VirtualEndpointConfig]{
	identity[VirtualEndpointConfig]("name"),
	identity[VirtualEndpointConfig]("source_server_id"),
	mutable("replica_server_id", func(c VirtualEndpointConfig) any { return c.ReplicaServerID }),
	immutable("type", func(c VirtualEndpointConfig) any { return c.Type }, "an endpoint's type is fixed when it is created"),
}}

// VirtualEndpointFields lists every flexpg_virtual_endpoint input attribute.
func VirtualEndpointFields() Table { return virtualEndpointFields.table() }
