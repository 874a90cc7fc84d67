package spec

// HighAvailability is the high_availability block.
type HighAvailability struct {
	Mode        string
	StandbyZone string
}

// MaintenanceWindow is the maintenance_window block (UTC; day 0 = Sunday).
type MaintenanceWindow struct {
	DayOfWeek, StartHour, StartMinute int64
}

// ServerConfig is the desired configuration of a flexpg_server, as the provider plans it and as the API
// receives it. Zero values mean "not set": StorageMB 0 → DefaultStorageMB, StorageTier "" → the size's
// default tier, BackupRetentionDays 0 → DefaultBackupRetentionDays, Version "" → DefaultVersion,
// CreateMode "" → CreateModeDefault, State "" → StateReady; HA and Maintenance nil mean no block.
type ServerConfig struct {
	Name, Location, Zone, Version, SKUName string
	StorageMB                              int64
	StorageTier                            string
	AutoGrowEnabled                        bool
	AdministratorLogin                     string
	// AdministratorPassword holds administrator_password or, for the write-only variant, the
	// administrator_password_wo value. It is never echoed in any message.
	AdministratorPassword      string
	BackupRetentionDays        int64
	GeoRedundantBackupEnabled  bool
	HA                         *HighAvailability
	Maintenance                *MaintenanceWindow
	DelegatedSubnetID          string
	PrivateDNSZoneID           string
	PublicNetworkAccessEnabled bool
	CreateMode                 string
	SourceServerID             string
	PointInTimeRestoreTime     string
	State                      string
}

// WithDefaults returns c with every unset field that has a default filled in. A storage tier is only filled
// in when the size is a catalog size.
func (c ServerConfig) WithDefaults() ServerConfig {
	if c.StorageMB == 0 {
		c.StorageMB = DefaultStorageMB
	}
	if c.StorageTier == "" {
		c.StorageTier, _ = DefaultStorageTier(c.StorageMB)
	}
	if c.BackupRetentionDays == 0 {
		c.BackupRetentionDays = DefaultBackupRetentionDays
	}
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.CreateMode == "" {
		c.CreateMode = CreateModeDefault
	}
	if c.State == "" {
		c.State = StateReady
	}
	return c
}

// IsPrivate reports whether the server uses private access (a delegated subnet).
func (c ServerConfig) IsPrivate() bool { return c.DelegatedSubnetID != "" }

// ValidateServer checks every rule the configuration alone decides, for a create or as the desired state of
// an update. Set fields get their single-field rules; then the cross-field rules (tier for size, HA against
// tier and region, credentials per create mode, networking) run on the values with defaults applied.
//
// Requirement rules have Rule "<field>.required". At plan time, drop errors on attributes whose values are
// unknown with FieldErrors.Without.
func ValidateServer(c ServerConfig) FieldErrors {
	var errs FieldErrors
	validateServerFields(&errs, c)
	d := c.WithDefaults()
	validateCredentials(&errs, d)
	validateRestore(&errs, d)
	validateHA(&errs, d)
	validateNetwork(&errs, d)
	errs.Add(ValidateGeoRedundantBackup(d.Location, d.GeoRedundantBackupEnabled))
	return errs
}

// validateServerFields runs the single-field rules of every set field.
func validateServerFields(errs *FieldErrors, c ServerConfig) {
	requireThen(errs, "name", c.Name, ValidateServerName)
	requireThen(errs, "location", c.Location, ValidateLocation)
	errs.Add(ValidateZone(c.Location, c.Zone))
	if c.Version != "" {
		errs.Add(ValidateVersion(c.Version))
	}
	if c.SKUName != "" {
		errs.Add(ValidateSKUName(c.SKUName))
	}
	errs.Add(ValidateSKUNamePresent(c.CreateMode, c.SKUName))
	if c.StorageMB != 0 {
		errs.Add(ValidateStorageMB(c.StorageMB))
	}
	if c.StorageTier != "" {
		errs.Add(ValidateStorageTier(c.StorageMB, c.StorageTier))
	}
	if c.BackupRetentionDays != 0 {
		errs.Add(ValidateBackupRetentionDays(c.BackupRetentionDays))
	}
	if c.Maintenance != nil {
		errs.AddAll(ValidateMaintenanceWindow(c.Maintenance.DayOfWeek, c.Maintenance.StartHour, c.Maintenance.StartMinute))
	}
	if c.CreateMode != "" {
		errs.Add(ValidateCreateMode(c.CreateMode))
	}
	if c.State != "" {
		errs.Add(ValidateState(c.State))
	}
}

// validateCredentials: a new (Default mode) server needs an admin login and password; a restored server
// inherits both from its source. Given values are always checked.
func validateCredentials(errs *FieldErrors, d ServerConfig) {
	isDefault := IsDefaultMode(d.CreateMode)
	switch {
	case d.AdministratorLogin != "":
		errs.Add(ValidateAdministratorLogin(d.AdministratorLogin))
	case isDefault:
		errs.Add(required("administrator_login", "when create_mode is Default"))
	}
	switch {
	case d.AdministratorPassword != "":
		errs.Add(ValidateAdministratorPassword(d.AdministratorPassword))
	case isDefault:
		errs.Add(required("administrator_password",
			"when create_mode is Default (set administrator_password or administrator_password_wo)"))
	}
}

// validateRestore: PointInTimeRestore and GeoRestore need a source server and an RFC 3339 time (azurerm asks
// for both in either mode); Default mode takes neither. That a restore creates a standalone server is a rule
// of the create alone (ValidateRestoreStandalone).
func validateRestore(errs *FieldErrors, d ServerConfig) {
	if !IsRestoreMode(d.CreateMode) {
		if d.CreateMode != CreateModeDefault {
			return // invalid create_mode, already reported
		}
		if d.SourceServerID != "" {
			errs.Add(NewFieldError("source_server_id", KindRestoreOnly,
				"is only used with create_mode PointInTimeRestore or GeoRestore; remove it or set create_mode"))
		}
		if d.PointInTimeRestoreTime != "" {
			errs.Add(NewFieldError("point_in_time_restore_time_in_utc", KindRestoreOnly,
				"is only used with create_mode PointInTimeRestore or GeoRestore; remove it or set create_mode"))
		}
		return
	}
	when := "when create_mode is " + d.CreateMode
	if d.SourceServerID == "" {
		errs.Add(required("source_server_id", when))
	} else {
		errs.Add(ValidateServerIDField("source_server_id", d.SourceServerID))
	}
	if d.PointInTimeRestoreTime == "" {
		errs.Add(required("point_in_time_restore_time_in_utc", when))
	} else if _, e := ParseRestoreTime(d.PointInTimeRestoreTime); e != nil {
		errs.Add(e)
	}
}

// ValidateServerCreate checks a new server: every rule of ValidateServer, and the rules of a create alone.
func ValidateServerCreate(c ServerConfig) FieldErrors {
	errs := ValidateServer(c)
	errs.Add(ValidateRestoreStandalone(c.CreateMode, c.HA != nil))
	return errs
}

// ValidateRestoreStandalone checks a create: a restore creates a standalone server (seed 002), so it has no
// high_availability block. It is a rule of the create only; HA is enabled in place on the restored server
// afterwards, whose create_mode still reads as the restore.
func ValidateRestoreStandalone(mode string, hasHA bool) *FieldError {
	if !hasHA || !IsRestoreMode(mode) {
		return nil
	}
	return NewFieldError("high_availability.mode", KindRestoreStandalone,
		"cannot be set when the server is created with create_mode %s: a restore creates a standalone server (seed 002); "+
			"remove the high_availability block, and add it after the restore to enable HA in place", mode)
}

// validateHA checks the high_availability block against the SKU tier, the region and the zones.
func validateHA(errs *FieldErrors, d ServerConfig) {
	if d.HA == nil {
		return
	}
	if d.HA.Mode == "" {
		errs.Add(required("high_availability.mode", "in a high_availability block"))
		return
	}
	if e := ValidateHAMode(d.HA.Mode); e != nil {
		errs.Add(e)
		return
	}
	if sku, ok := LookupSKU(d.SKUName); ok && sku.Tier == TierBurstable {
		errs.Add(NewFieldError("high_availability.mode", KindNotBurstable,
			"is not available on the Burstable tier (sku_name %s); choose a GeneralPurpose or MemoryOptimized SKU or remove the high_availability block",
			d.SKUName))
	}
	region, regionOK := LookupRegion(d.Location)
	if regionOK && d.HA.Mode == HAModeZoneRedundant && !region.ZoneRedundantHA {
		errs.Add(NewFieldError("high_availability.mode", KindZoneRedundantRegion,
			"ZoneRedundant is not available in region %s, which has no zone-redundant HA; use SameZone or a region with zone-redundant HA",
			region.Name))
	}
	validateStandbyZone(errs, d)
}

func validateStandbyZone(errs *FieldErrors, d ServerConfig) {
	const field = "high_availability.standby_availability_zone"
	standby := d.HA.StandbyZone
	if standby == "" {
		return
	}
	if e := validateZoneField(field, d.Location, standby); e != nil {
		errs.Add(e)
		return
	}
	switch {
	case d.Zone == "":
		return
	case d.HA.Mode == HAModeZoneRedundant && standby == d.Zone:
		errs.Add(NewFieldError(field, KindDiffersFromZone,
			"must differ from zone %s for ZoneRedundant HA, which keeps the standby in another zone; got %s", d.Zone, quote(standby)))
	case d.HA.Mode == HAModeSameZone && standby != d.Zone:
		errs.Add(NewFieldError(field, KindSameZone,
			"must equal zone %s for SameZone HA, which keeps the standby in the primary's zone; got %s (or use ZoneRedundant)",
			d.Zone, quote(standby)))
	}
}

// validateNetwork checks the private-access pair: both IDs or neither, well formed, public access off, and a
// zone a server may use. Rules that need the cloud's state (the subnet's delegation, the VNet's region) are
// checked at apply time with ValidateServerSubnet and ValidateVNetRegion. A missing half of the pair is
// reported on the missing attribute, so a plan-time caller drops it while that attribute is unknown.
func validateNetwork(errs *FieldErrors, d ServerConfig) {
	if d.DelegatedSubnetID != "" {
		if _, _, err := ParseSubnetID(d.DelegatedSubnetID); err != nil {
			errs.Add(NewFieldError("delegated_subnet_id", KindFormat,
				"must be a subnet ID of the form /virtualNetworks/<vnet>/subnets/<subnet>; got %s", quote(d.DelegatedSubnetID)))
		}
		if d.PrivateDNSZoneID == "" {
			errs.Add(required("private_dns_zone_id", "when delegated_subnet_id is set (private access)"))
		}
		if d.PublicNetworkAccessEnabled {
			errs.Add(NewFieldError("public_network_access_enabled", KindPrivateServer,
				"must be false for a private-access server (delegated_subnet_id is set); a private server has no public endpoint"))
		}
	} else if d.PrivateDNSZoneID != "" {
		errs.Add(required("delegated_subnet_id",
			"when private_dns_zone_id is set: a private DNS zone is only used by a private-access server (remove private_dns_zone_id for public access)"))
	}
	if d.PrivateDNSZoneID != "" {
		if zone, err := ParsePrivateDNSZoneID(d.PrivateDNSZoneID); err != nil {
			errs.Add(NewFieldError("private_dns_zone_id", KindFormat,
				"must be a private DNS zone ID of the form /privateDnsZones/<zone>; got %s", quote(d.PrivateDNSZoneID)))
		} else {
			errs.Add(ValidatePrivateDNSZoneForServer(zone, d.Name))
		}
	}
}

// requireThen reports a missing value, or runs check on a present one.
func requireThen(errs *FieldErrors, field, v string, check func(string) *FieldError) {
	if v == "" {
		errs.Add(required(field, ""))
		return
	}
	errs.Add(check(v))
}

func required(field, when string) *FieldError {
	if when != "" {
		when = " " + when
	}
	return NewFieldError(field, KindRequired, "is required%s", when)
}
