package spec

// ValidateServerUpdate checks the rules of a change that need both the current configuration (old, as
// stored by the cloud, including a size auto-grow reached) and the desired one (new). Call ValidateServer(new)
// as well: rules of new alone, such as the storage tier floor of the new size (storage_tier.allowed_for_size),
// live there only, so they are never reported twice.
//
// Fields that can only be set at create (create_mode, source_server_id, point_in_time_restore_time_in_utc)
// are not compared: the provider replaces the server when they change and the API ignores them on update.
func ValidateServerUpdate(old, new ServerConfig) FieldErrors {
	var errs FieldErrors
	o, n := old.WithDefaults(), new.WithDefaults()
	errs.Add(requireSame("name", o.Name, n.Name))
	errs.Add(requireSame("location", o.Location, n.Location))
	if o.AdministratorLogin != "" {
		errs.Add(requireSame("administrator_login", o.AdministratorLogin, n.AdministratorLogin))
	}
	if o.GeoRedundantBackupEnabled != n.GeoRedundantBackupEnabled {
		errs.Add(replaceOnly("geo_redundant_backup_enabled"))
	}
	if o.IsPrivate() != n.IsPrivate() {
		errs.Add(NewFieldError("delegated_subnet_id", KindNetworkMode,
			"cannot change: a server's network mode (public or private access) is fixed at create; changing it requires replacing the server"))
	} else {
		errs.Add(requireSame("delegated_subnet_id", o.DelegatedSubnetID, n.DelegatedSubnetID))
	}
	errs.Add(requireSame("private_dns_zone_id", o.PrivateDNSZoneID, n.PrivateDNSZoneID))
	if n.StorageMB < o.StorageMB {
		errs.Add(NewFieldError("storage_mb", KindNoShrink,
			"cannot decrease: the server has %d MB and shrinking storage is not supported; got %d (set storage_mb to %d or more)",
			o.StorageMB, n.StorageMB, o.StorageMB))
	}
	if compareVersions(n.Version, o.Version) < 0 {
		errs.Add(NewFieldError("version", KindNoDowngrade,
			"cannot be downgraded from %s to %s: a major version can only be upgraded in place; downgrading requires replacing the server",
			o.Version, n.Version))
	}
	return errs
}

func requireSame(field, old, new string) *FieldError {
	if old == new {
		return nil
	}
	return replaceOnly(field)
}

func replaceOnly(field string) *FieldError {
	return NewFieldError(field, KindImmutable, "cannot be changed in place; changing %s requires replacing the server", field)
}
