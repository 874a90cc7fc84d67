package spec

// ValidateServerUpdate checks the rules of a change that need both the current configuration (old, as
// stored by the cloud, including a size auto-grow reached) and the desired one (new): no immutable field of
// the table changes (serverFields), storage does not shrink, the version is not downgraded. Call
// ValidateServer(new) as well: rules of new alone, such as the storage tier floor of the new size
// (storage_tier.allowed_for_size), live there only, so they are never reported twice.
func ValidateServerUpdate(old, new ServerConfig) FieldErrors {
	o, n := old.WithDefaults(), new.WithDefaults()
	errs := serverFields.immutableChanges(o, n)
	errs.Add(validateNoShrink(o.StorageMB, n.StorageMB))
	if compareVersions(n.Version, o.Version) < 0 {
		errs.Add(NewFieldError("version", KindNoDowngrade,
			"cannot be downgraded from %s to %s: a major version can only be upgraded in place; downgrading requires replacing the server",
			o.Version, n.Version))
	}
	return errs
}

// validateNoShrink is the rule that storage only grows, for a server and a read replica alike.
func validateNoShrink(oldMB, newMB int64) *FieldError {
	if newMB >= oldMB {
		return nil
	}
	return NewFieldError("storage_mb", KindNoShrink,
		"cannot decrease: the server has %d MB and shrinking storage is not supported; got %d (set storage_mb to %d or more)",
		oldMB, newMB, oldMB)
}
