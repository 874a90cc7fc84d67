package spec

// Field is one input attribute of a resource. Immutable means a change replaces the resource (the provider
// adds RequiresReplace; the API refuses the change). The provider's parity test walks these tables.
type Field struct {
	Attribute string
	Immutable bool
}

// ServerFields lists every flexpg_server input attribute. version (downgrade) and storage_mb (shrink) are
// mutable here: an upgrade and a growth happen in place, and the reverse is refused or planned specially.
func ServerFields() []Field {
	return []Field{
		{"name", true},
		{"location", true},
		{"zone", false},
		{"version", false},
		{"sku_name", false},
		{"storage_mb", false},
		{"storage_tier", false},
		{"auto_grow_enabled", false},
		{"administrator_login", true},
		{"administrator_password", false},
		{"administrator_password_wo", false},
		{"administrator_password_wo_version", false},
		{"backup_retention_days", false},
		{"geo_redundant_backup_enabled", true},
		{"high_availability", false},
		{"maintenance_window", false},
		{"delegated_subnet_id", true},
		{"private_dns_zone_id", true},
		{"public_network_access_enabled", false},
		{"create_mode", true},
		{"source_server_id", true},
		{"point_in_time_restore_time_in_utc", true},
		{"state", false},
		{"tags", false},
	}
}

// FirewallRuleFields lists every flexpg_firewall_rule input attribute.
func FirewallRuleFields() []Field {
	return []Field{
		{"name", true},
		{"server_id", true},
		{"start_ip_address", false},
		{"end_ip_address", false},
	}
}

// ConfigurationFields lists every flexpg_server_configuration input attribute.
func ConfigurationFields() []Field {
	return []Field{
		{"server_id", true},
		{"name", true},
		{"value", false},
	}
}

// DatabaseFields lists every flexpg_database input attribute; a database cannot be changed in place.
func DatabaseFields() []Field {
	return []Field{
		{"server_id", true},
		{"name", true},
		{"charset", true},
		{"collation", true},
	}
}
