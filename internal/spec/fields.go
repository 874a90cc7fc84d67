package spec

import "reflect"

// Field is one input attribute of a resource and whether a change replaces the resource. The provider derives
// RequiresReplace and the "Changing it replaces ..." sentence of the docs from it, the cloud's API refuses an
// in-place change of an immutable field with it, and the parity tests hold all three to it.
type Field struct {
	Attribute string
	Immutable bool
	// Identity fields are part of the resource's ID (its API path): another value names another resource,
	// so no update can carry a change of them.
	Identity bool
	// Why says, for an immutable field, why a change needs a new resource; it ends the API's message.
	Why string
}

// fieldOf is a Field of the resource whose configuration is C, with how to read its value from C (nil for
// identity fields, which no update can change).
type fieldOf[C any] struct {
	Field
	value func(C) any
}

// resourceFields is one resource's field table.
type resourceFields[C any] struct {
	noun   string // "server", "virtual network", ...: names the resource in messages
	fields []fieldOf[C]
}

// Table is one resource's field table as the provider, the docs and the parity tests read it.
type Table struct {
	Noun   string // how messages and docs name the resource: "server", "virtual network", ...
	Fields []Field
}

// Lookup finds a field by attribute name.
func (t Table) Lookup(attribute string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Attribute == attribute {
			return f, true
		}
	}
	return Field{}, false
}

// ReplaceSentence is what the docs say of an immutable field: that a change replaces the resource, and why.
func (t Table) ReplaceSentence(f Field) string {
	if f.Why == "" {
		return "Changing it replaces the " + t.Noun + "."
	}
	return "Changing it replaces the " + t.Noun + ": " + f.Why + "."
}

// table returns the table without the accessors.
func (t resourceFields[C]) table() Table {
	out := Table{Noun: t.noun, Fields: make([]Field, len(t.fields))}
	for i, f := range t.fields {
		out.Fields[i] = f.Field
	}
	return out
}

// immutableChanges reports every immutable field whose value differs between old and new.
func (t resourceFields[C]) immutableChanges(old, new C) FieldErrors {
	var errs FieldErrors
	for _, f := range t.fields {
		if !f.Immutable || f.value == nil || reflect.DeepEqual(f.value(old), f.value(new)) {
			continue
		}
		why := f.Why
		if why == "" {
			why = "it is fixed when the " + t.noun + " is created"
		}
		errs.Add(NewFieldError(f.Attribute, KindImmutable, "cannot be changed in place: %s; changing %s requires replacing the %s",
			why, f.Attribute, t.noun))
	}
	return errs
}

// identity, immutable and mutable build table rows.
func identity[C any](attr string) fieldOf[C] {
	return fieldOf[C]{Field: Field{Attribute: attr, Immutable: true, Identity: true}}
}

func immutable[C any](attr string, value func(C) any, why string) fieldOf[C] {
	return fieldOf[C]{Field: Field{Attribute: attr, Immutable: true, Why: why}, value: value}
}

func mutable[C any](attr string, value func(C) any) fieldOf[C] {
	return fieldOf[C]{Field: Field{Attribute: attr}, value: value}
}

// serverFields is the flexpg_server table. version (downgrade) and storage_mb (shrink) are mutable here: an
// upgrade and a growth happen in place, and the reverse is refused or planned specially (ValidateServerUpdate).
var serverFields = resourceFields[ServerConfig]{noun: "server", fields: []fieldOf[ServerConfig]{
	identity[ServerConfig]("name"),
	immutable("location", func(c ServerConfig) any { return c.Location }, "a server lives in the region it was created in"),
	mutable("zone", func(c ServerConfig) any { return c.Zone }),
	mutable("version", func(c ServerConfig) any { return c.Version }),
	mutable("sku_name", func(c ServerConfig) any { return c.SKUName }),
	mutable("storage_mb", func(c ServerConfig) any { return c.StorageMB }),
	mutable("storage_tier", func(c ServerConfig) any { return c.StorageTier }),
	mutable("auto_grow_enabled", func(c ServerConfig) any { return c.AutoGrowEnabled }),
	immutable("administrator_login", func(c ServerConfig) any { return c.AdministratorLogin },
		"the administrator's login is made when the server is created"),
	mutable("administrator_password", func(c ServerConfig) any { return c.AdministratorPassword }),
	mutable[ServerConfig]("administrator_password_wo", nil),
	mutable[ServerConfig]("administrator_password_wo_version", nil),
	mutable("backup_retention_days", func(c ServerConfig) any { return c.BackupRetentionDays }),
	immutable("geo_redundant_backup_enabled", func(c ServerConfig) any { return c.GeoRedundantBackupEnabled },
		"geo-redundant backup storage is chosen when the server is created"),
	mutable("high_availability", func(c ServerConfig) any { return c.HA }),
	mutable("maintenance_window", func(c ServerConfig) any { return c.Maintenance }),
	immutable("delegated_subnet_id", func(c ServerConfig) any { return c.DelegatedSubnetID },
		"a server's network mode (public or private access) and its subnet are fixed when it is created"),
	immutable("private_dns_zone_id", func(c ServerConfig) any { return c.PrivateDNSZoneID },
		"a private server's DNS zone is fixed when it is created"),
	mutable("public_network_access_enabled", func(c ServerConfig) any { return c.PublicNetworkAccessEnabled }),
	immutable("create_mode", func(c ServerConfig) any { return c.CreateMode }, "it only applies when the server is created"),
	immutable("source_server_id", func(c ServerConfig) any { return c.SourceServerID }, "it only applies when the server is created"),
	immutable("point_in_time_restore_time_in_utc", func(c ServerConfig) any { return c.PointInTimeRestoreTime },
		"it only applies when the server is created"),
	mutable("state", func(c ServerConfig) any { return c.State }),
	mutable[ServerConfig]("tags", nil),
}}

// ServerFields lists every flexpg_server input attribute.
func ServerFields() Table { return serverFields.table() }

// FirewallRuleConfig is the desired configuration of a flexpg_firewall_rule.
type FirewallRuleConfig struct {
	ServerID, Name, StartIPAddress, EndIPAddress string
}

var firewallRuleFields = resourceFields[FirewallRuleConfig]{noun: "firewall rule", fields: []fieldOf[FirewallRuleConfig]{
	identity[FirewallRuleConfig]("name"),
	identity[FirewallRuleConfig]("server_id"),
	mutable("start_ip_address", func(c FirewallRuleConfig) any { return c.StartIPAddress }),
	mutable("end_ip_address", func(c FirewallRuleConfig) any { return c.EndIPAddress }),
}}

// FirewallRuleFields lists every flexpg_firewall_rule input attribute.
func FirewallRuleFields() Table { return firewallRuleFields.table() }

// ConfigurationConfig is the desired configuration of a flexpg_server_configuration.
type ConfigurationConfig struct {
	ServerID, Name, Value string
}

var configurationFields = resourceFields[ConfigurationConfig]{noun: "server configuration", fields: []fieldOf[ConfigurationConfig]{
	identity[ConfigurationConfig]("server_id"),
	identity[ConfigurationConfig]("name"),
	mutable("value", func(c ConfigurationConfig) any { return c.Value }),
}}

// ConfigurationFields lists every flexpg_server_configuration input attribute.
func ConfigurationFields() Table { return configurationFields.table() }

// DatabaseConfig is the desired configuration of a flexpg_database.
type DatabaseConfig struct {
	ServerID, Name, Charset, Collation string
}

var databaseFields = resourceFields[DatabaseConfig]{noun: "database", fields: []fieldOf[DatabaseConfig]{
	identity[DatabaseConfig]("server_id"),
	identity[DatabaseConfig]("name"),
	immutable("charset", func(c DatabaseConfig) any { return c.Charset }, "PostgreSQL fixes a database's encoding when it is created"),
	immutable("collation", func(c DatabaseConfig) any { return c.Collation }, "PostgreSQL fixes a database's collation when it is created"),
}}

// DatabaseFields lists every flexpg_database input attribute; a database cannot be changed in place.
func DatabaseFields() Table { return databaseFields.table() }

// ValidateDatabaseUpdate reports the immutable fields a change of an existing database touches.
func ValidateDatabaseUpdate(old, new DatabaseConfig) FieldErrors {
	return databaseFields.immutableChanges(old, new)
}
