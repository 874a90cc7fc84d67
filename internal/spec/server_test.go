package spec

import "testing"

// validServer is a complete, valid Default-mode configuration that the cases below modify.
func validServer() ServerConfig {
	return ServerConfig{
		Name: "pg1", Location: "eastus", Zone: "1", Version: "17", SKUName: "GP_Standard_D2s_v3",
		AdministratorLogin: "pgadmin", AdministratorPassword: "Secr3t-pass", PublicNetworkAccessEnabled: true,
	}
}

func TestWithDefaults(t *testing.T) {
	d := ServerConfig{}.WithDefaults()
	if d.StorageMB != 32768 || d.StorageTier != "P4" || d.BackupRetentionDays != 7 || d.Version != "17" ||
		d.CreateMode != CreateModeDefault || d.State != StateReady {
		t.Errorf("defaults = %+v", d)
	}
	d = ServerConfig{StorageMB: 131072, StorageTier: "P30", BackupRetentionDays: 14, Version: "15"}.WithDefaults()
	if d.StorageMB != 131072 || d.StorageTier != "P30" || d.BackupRetentionDays != 14 || d.Version != "15" {
		t.Errorf("set values must survive WithDefaults: %+v", d)
	}
	if d := (ServerConfig{StorageMB: 131072}).WithDefaults(); d.StorageTier != "P10" {
		t.Errorf("tier must follow the size: %s", d.StorageTier)
	}
}

func TestValidateServer(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*ServerConfig)
		rules []string
	}{
		{"valid", func(*ServerConfig) {}, nil},
		{"valid zone-redundant HA", func(c *ServerConfig) { c.HA = &HighAvailability{Mode: "ZoneRedundant", StandbyZone: "2"} }, nil},
		{"valid same-zone HA in westus", func(c *ServerConfig) {
			c.Location, c.HA = "westus", &HighAvailability{Mode: "SameZone", StandbyZone: "1"}
		}, nil},
		{"valid maintenance and storage", func(c *ServerConfig) {
			c.Maintenance = &MaintenanceWindow{DayOfWeek: 3, StartHour: 2, StartMinute: 30}
			c.StorageMB, c.StorageTier, c.BackupRetentionDays = 131072, "P30", 35
		}, nil},
		{"missing everything", func(c *ServerConfig) { *c = ServerConfig{} },
			[]string{"name.required", "location.required", "sku_name.required", "administrator_login.required",
				"administrator_password.required"}},
		{"bad single fields", func(c *ServerConfig) {
			c.Name, c.Version, c.StorageMB, c.BackupRetentionDays, c.State = "PG", "16", 1000, 3, "Starting"
		}, []string{"name.characters", "version.supported", "storage_mb.allowed_sizes", "backup_retention_days.range",
			"state.allowed_values"}},
		{"bad zone", func(c *ServerConfig) { c.Zone = "5" }, []string{"zone.region_zones"}},
		{"tier below size minimum", func(c *ServerConfig) { c.StorageMB, c.StorageTier = 262144, "P10" },
			[]string{"storage_tier.allowed_for_size"}},
		{"tier invalid for default size", func(c *ServerConfig) { c.StorageTier = "P60" },
			[]string{"storage_tier.allowed_for_size"}},
		{"bad login and password", func(c *ServerConfig) { c.AdministratorLogin, c.AdministratorPassword = "azure_pg_admin", "short" },
			[]string{"administrator_login.reserved", "administrator_password.length"}},
		{"HA on Burstable", func(c *ServerConfig) {
			c.SKUName, c.HA = "B_Standard_B1ms", &HighAvailability{Mode: "SameZone"}
		}, []string{"high_availability.mode.not_burstable"}},
		{"ZoneRedundant in westus", func(c *ServerConfig) {
			c.Location, c.HA = "westus", &HighAvailability{Mode: "ZoneRedundant"}
		}, []string{"high_availability.mode.zone_redundant_region"}},
		{"HA mode missing", func(c *ServerConfig) { c.HA = &HighAvailability{} }, []string{"high_availability.mode.required"}},
		{"HA mode invalid", func(c *ServerConfig) { c.HA = &HighAvailability{Mode: "Disabled"} },
			[]string{"high_availability.mode.allowed_values"}},
		{"standby equals zone for ZoneRedundant", func(c *ServerConfig) {
			c.HA = &HighAvailability{Mode: "ZoneRedundant", StandbyZone: "1"}
		}, []string{"high_availability.standby_availability_zone.differs_from_zone"}},
		{"standby not in region", func(c *ServerConfig) {
			c.HA = &HighAvailability{Mode: "ZoneRedundant", StandbyZone: "4"}
		}, []string{"high_availability.standby_availability_zone.region_zones"}},
		{"SameZone standby elsewhere", func(c *ServerConfig) {
			c.HA = &HighAvailability{Mode: "SameZone", StandbyZone: "2"}
		}, []string{"high_availability.standby_availability_zone.same_zone"}},
		{"bad maintenance window", func(c *ServerConfig) { c.Maintenance = &MaintenanceWindow{DayOfWeek: 7, StartMinute: 60} },
			[]string{"maintenance_window.day_of_week.range", "maintenance_window.start_minute.range"}},
		{"private without zone and with public access", func(c *ServerConfig) {
			c.DelegatedSubnetID = SubnetID("vnet1", "db")
		}, []string{"private_dns_zone_id.required", "public_network_access_enabled.private_server"}},
		{"valid private", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PrivateDNSZoneID = SubnetID("vnet1", "db"), PrivateDNSZoneID("x.postgres.flexpg.internal")
			c.PublicNetworkAccessEnabled = false
		}, nil},
		{"malformed network IDs", func(c *ServerConfig) {
			c.DelegatedSubnetID, c.PrivateDNSZoneID, c.PublicNetworkAccessEnabled = "subnet1", "zone1", false
		}, []string{"delegated_subnet_id.format", "private_dns_zone_id.format"}},
		{"restore needs source and time", func(c *ServerConfig) {
			*c = ServerConfig{Name: "pg2", Location: "eastus", CreateMode: CreateModePointInTimeRestore}
		}, []string{"source_server_id.required", "point_in_time_restore_time_in_utc.required"}},
		{"valid restore", func(c *ServerConfig) {
			*c = ServerConfig{Name: "pg2", Location: "eastus", CreateMode: CreateModePointInTimeRestore,
				SourceServerID: ServerID("pg1"), PointInTimeRestoreTime: "2025-01-31T12:00:00Z"}
		}, nil},
		{"restore with bad values", func(c *ServerConfig) {
			c.CreateMode, c.SourceServerID, c.PointInTimeRestoreTime = CreateModePointInTimeRestore, "pg1", "yesterday"
		}, []string{"source_server_id.format", "point_in_time_restore_time_in_utc.format"}},
		{"restore fields in Default mode", func(c *ServerConfig) {
			c.SourceServerID, c.PointInTimeRestoreTime = ServerID("pg0"), "2025-01-31T12:00:00Z"
		}, []string{"source_server_id.restore_only", "point_in_time_restore_time_in_utc.restore_only"}},
		{"unknown create mode", func(c *ServerConfig) { c.CreateMode = "Replica" }, []string{"create_mode.allowed_values"}},
	}
	for _, c := range cases {
		cfg := validServer()
		c.edit(&cfg)
		checkRules(t, c.name, ValidateServer(cfg), c.rules...)
	}
}

func TestValidateServerPlanTimeUnknowns(t *testing.T) {
	cfg := validServer()
	cfg.Name, cfg.AdministratorPassword = "", "" // unknown at plan time
	if errs := ValidateServer(cfg).Without("name", "administrator_password"); len(errs) != 0 {
		t.Errorf("errors left after dropping unknown attributes: %v", errs)
	}
}

func TestValidateServerUpdate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(old, new *ServerConfig)
		rules []string
	}{
		{"no change", func(_, _ *ServerConfig) {}, nil},
		{"allowed in-place changes", func(_, n *ServerConfig) {
			n.SKUName, n.StorageMB, n.BackupRetentionDays, n.AdministratorPassword = "GP_Standard_D4s_v3", 65536, 14, "An0ther-pass"
			n.HA, n.State, n.Zone = &HighAvailability{Mode: "ZoneRedundant"}, StateStopped, "2"
		}, nil},
		{"version upgrade", func(o, n *ServerConfig) { o.Version, n.Version = "15", "17" }, nil},
		{"version downgrade", func(o, n *ServerConfig) { o.Version, n.Version = "17", "15" }, []string{"version.no_downgrade"}},
		{"default version downgrade", func(o, n *ServerConfig) { o.Version, n.Version = "", "15" }, []string{"version.no_downgrade"}},
		{"storage shrink", func(o, n *ServerConfig) { o.StorageMB, n.StorageMB = 131072, 65536 }, []string{"storage_mb.no_shrink"}},
		{"storage shrink to default", func(o, n *ServerConfig) { o.StorageMB, n.StorageMB = 65536, 0 }, []string{"storage_mb.no_shrink"}},
		{"immutable fields", func(_, n *ServerConfig) {
			n.Location, n.AdministratorLogin, n.GeoRedundantBackupEnabled = "westus", "other", true
		}, []string{"location.immutable", "administrator_login.immutable", "geo_redundant_backup_enabled.immutable"}},
		// name is an identity field: it is the server's API path, so an update cannot carry another name.
		{"name is not compared", func(_, n *ServerConfig) { n.Name = "pg9" }, nil},
		{"public to private", func(_, n *ServerConfig) {
			n.DelegatedSubnetID, n.PrivateDNSZoneID = SubnetID("v", "s"), PrivateDNSZoneID("z.postgres.flexpg.internal")
		}, []string{"delegated_subnet_id.immutable", "private_dns_zone_id.immutable"}},
		{"other subnet", func(o, n *ServerConfig) {
			o.DelegatedSubnetID, n.DelegatedSubnetID = SubnetID("v", "s1"), SubnetID("v", "s2")
		}, []string{"delegated_subnet_id.immutable"}},
	}
	for _, c := range cases {
		old, new := validServer(), validServer()
		c.edit(&old, &new)
		checkRules(t, c.name, ValidateServerUpdate(old, new), c.rules...)
	}
	e := ValidateServerUpdate(ServerConfig{StorageMB: 131072}, ServerConfig{StorageMB: 65536})[0]
	if want := "storage_mb cannot decrease: the server has 131072 MB"; len(e.Message) < len(want) || e.Message[:len(want)] != want {
		t.Errorf("shrink message = %q", e.Message)
	}
}

func TestFieldTables(t *testing.T) {
	immutable := map[string]bool{"name": true, "location": true, "administrator_login": true,
		"geo_redundant_backup_enabled": true, "delegated_subnet_id": true, "private_dns_zone_id": true,
		"create_mode": true, "source_server_id": true, "point_in_time_restore_time_in_utc": true}
	fields := ServerFields().Fields
	if len(fields) != 24 {
		t.Errorf("server fields = %d, want 24", len(fields))
	}
	for _, f := range fields {
		if f.Immutable != immutable[f.Attribute] {
			t.Errorf("server field %s: Immutable = %v", f.Attribute, f.Immutable)
		}
	}
	tables := map[string][]Field{"firewall": FirewallRuleFields().Fields, "configuration": ConfigurationFields().Fields, "database": DatabaseFields().Fields}
	wantMutable := map[string]map[string]bool{
		"firewall":      {"start_ip_address": true, "end_ip_address": true},
		"configuration": {"value": true},
		"database":      {},
	}
	for name, table := range tables {
		for _, f := range table {
			if f.Immutable == wantMutable[name][f.Attribute] {
				t.Errorf("%s field %s: Immutable = %v", name, f.Attribute, f.Immutable)
			}
		}
	}
}
