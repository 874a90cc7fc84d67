package spec

// What a create mode decides. A Default create makes a server of its own: it must name its compute size and
// its administrator, and the creation defaults (version, storage_mb) fill in what it leaves unset. A restore
// (PointInTimeRestore, GeoRestore) takes the SKU, storage, version and administrator of its source server
// instead (DESIGN §3), so none of them is required and no default applies to them.

// IsDefaultMode reports whether a create in mode makes a server of its own: create_mode Default, or unset.
func IsDefaultMode(mode string) bool {
	return mode == "" || mode == CreateModeDefault
}

// ValidateSKUNamePresent checks that a server created in mode names its compute size. Only a restore may
// leave sku_name unset; an invalid mode is ValidateCreateMode's concern.
func ValidateSKUNamePresent(mode, sku string) *FieldError {
	if sku != "" || !IsDefaultMode(mode) {
		return nil
	}
	return NewFieldError("sku_name", KindRequired,
		"is required when create_mode is Default (or unset): set the compute size, such as %s; only a restore "+
			"(create_mode %s or %s) takes its source server's SKU", skuExamples(), CreateModePointInTimeRestore, CreateModeGeoRestore)
}

// TakesSourceNetwork reports whether a create in mode, given no network, puts the new server in its source's
// network: a point-in-time restore of a private server is private in the source's subnet and DNS zone. A
// geo-restore lands in another region, whose subnet it must be given.
func TakesSourceNetwork(mode string) bool {
	return mode == CreateModePointInTimeRestore
}
