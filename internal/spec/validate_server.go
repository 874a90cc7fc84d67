package spec

import (
	"strings"
	"unicode/utf8"
)

// Server name limits (the name becomes a DNS label).
const (
	MinServerNameLength = 3
	MaxServerNameLength = 63
)

// ValidateServerName checks name: 3–63 characters, lowercase letters, digits and hyphens, starting and
// ending with a letter or digit.
func ValidateServerName(v string) *FieldError {
	const field = "name"
	if hasControl(v) || !onlyBytes(v, func(c byte) bool { return isASCIILower(c) || isASCIIDigit(c) || c == '-' }) {
		return NewFieldError(field, KindCharacters,
			"may contain only lowercase letters (a-z), digits and hyphens; got %s", quote(v))
	}
	if len(v) < MinServerNameLength || len(v) > MaxServerNameLength {
		return NewFieldError(field, KindLength, "must be %d to %d characters long; got %d characters (%s)",
			MinServerNameLength, MaxServerNameLength, len(v), quote(v))
	}
	if v[0] == '-' || v[len(v)-1] == '-' {
		return NewFieldError(field, KindStartEnd, "must start and end with a lowercase letter or digit; got %s", quote(v))
	}
	return nil
}

// ValidateLocation checks that location is the short name of a catalog region.
func ValidateLocation(v string) *FieldError {
	if _, ok := LookupRegion(v); ok {
		return nil
	}
	return NewFieldError("location", KindCatalog, "must be the short name of a catalog region (%s); got %s",
		joinValues(RegionNames()), quote(v))
}

// ValidateZone checks that zone is one of the location's zones. An empty zone means "let the cloud choose";
// an unknown location is ValidateLocation's concern, so it is not reported twice.
func ValidateZone(location, zone string) *FieldError {
	return validateZoneField("zone", location, zone)
}

func validateZoneField(field, location, zone string) *FieldError {
	region, ok := LookupRegion(location)
	if zone == "" || !ok || region.HasZone(zone) {
		return nil
	}
	return NewFieldError(field, KindRegionZones, "must be one of the availability zones of region %s (%s); got %s",
		region.Name, joinValues(region.Zones), quote(zone))
}

// ValidateVersion checks that version is a supported major version.
func ValidateVersion(v string) *FieldError {
	return validateOneOf("version", KindSupported, v, Versions())
}

// ValidateSKUName checks that sku_name is a catalog SKU.
func ValidateSKUName(v string) *FieldError {
	if _, ok := LookupSKU(v); ok {
		return nil
	}
	hint := ""
	for _, name := range SKUNames() {
		if strings.EqualFold(name, v) {
			hint = "; did you mean " + name + "? (names are case-sensitive)"
		}
	}
	return NewFieldError("sku_name", KindCatalog,
		"must be a catalog SKU written <tier>_<size> with tier B (Burstable), GP (GeneralPurpose) or MO "+
			"(MemoryOptimized), such as %s; got %s%s", skuExamples(), quote(v), hint)
}

// ValidateStorageMB checks that storage_mb is one of the allowed sizes.
func ValidateStorageMB(v int64) *FieldError {
	for _, mb := range StorageSizesMB() {
		if mb == v {
			return nil
		}
	}
	return NewFieldError("storage_mb", KindAllowedSizes, "must be one of %s (MB); got %d",
		joinInts(StorageSizesMB()), v)
}

// ValidateStorageTier checks that tier is a performance tier allowed for storageMB (0 means the default
// size). An invalid size only gets the tier-name check; the size itself is ValidateStorageMB's concern.
func ValidateStorageTier(storageMB int64, tier string) *FieldError {
	const field = "storage_tier"
	if storageTierRank(tier) < 0 {
		return NewFieldError(field, KindAllowedValues, "must be one of %s; got %s", joinValues(StorageTiers()), quote(tier))
	}
	if storageMB == 0 {
		storageMB = DefaultStorageMB
	}
	allowed := StorageTiersFor(storageMB)
	if allowed == nil || inList(tier, allowed) {
		return nil
	}
	return NewFieldError(field, KindAllowedForSize,
		"%s is not available for storage_mb %d; the tiers for that size are %s (leave storage_tier unset to "+
			"follow the size's default tier %s)", tier, storageMB, joinValues(allowed), allowed[0])
}

// ValidateBackupRetentionDays checks the 7–35 day range.
func ValidateBackupRetentionDays(v int64) *FieldError {
	if v >= MinBackupRetentionDays && v <= MaxBackupRetentionDays {
		return nil
	}
	return NewFieldError("backup_retention_days", KindRange, "must be between %d and %d (days); got %d",
		MinBackupRetentionDays, MaxBackupRetentionDays, v)
}

// MaxAdministratorLoginLength is PostgreSQL's identifier limit.
const MaxAdministratorLoginLength = 63

// ValidateAdministratorLogin checks the admin login: 1–63 characters, a letter or underscore first, then
// letters, digits and underscores; not a reserved name (case-insensitive) and not starting with pg_.
func ValidateAdministratorLogin(v string) *FieldError {
	const field = "administrator_login"
	if v == "" || len(v) > MaxAdministratorLoginLength {
		return NewFieldError(field, KindLength, "must be 1 to %d characters long; got %d characters",
			MaxAdministratorLoginLength, len(v))
	}
	if !isASCIILetter(v[0]) && v[0] != '_' {
		return NewFieldError(field, KindStart, "must start with a letter or an underscore; got %s", quote(v))
	}
	if !onlyBytes(v, func(c byte) bool { return isASCIILetter(c) || isASCIIDigit(c) || c == '_' }) {
		return NewFieldError(field, KindCharacters, "may contain only letters, digits and underscores; got %s", quote(v))
	}
	for _, reserved := range ReservedAdminLogins() {
		if strings.EqualFold(v, reserved) {
			return NewFieldError(field, KindReserved, "%s is reserved by the service (reserved logins: %s); choose another login",
				quote(v), joinValues(ReservedAdminLogins()))
		}
	}
	if strings.HasPrefix(strings.ToLower(v), ReservedLoginPrefix) {
		return NewFieldError(field, KindReservedPrefix,
			"must not start with %s, which PostgreSQL reserves for its own roles; got %s", ReservedLoginPrefix, quote(v))
	}
	return nil
}

// Administrator password limits (the service's rule).
const (
	MinPasswordLength        = 8
	MaxPasswordLength        = 128
	MinPasswordCategories    = 3
	passwordCategoryNamesDoc = "uppercase letters, lowercase letters, digits, non-alphanumeric characters"
)

// ValidateAdministratorPassword checks administrator_password with ValidatePassword.
func ValidateAdministratorPassword(v string) *FieldError {
	return ValidatePassword("administrator_password", v)
}

// ValidatePassword checks a password given in field (administrator_password or administrator_password_wo):
// 8–128 characters from at least three of: uppercase, lowercase, digits, non-alphanumeric; no control
// characters. The message never contains the password.
func ValidatePassword(field, v string) *FieldError {
	n := utf8.RuneCountInString(v)
	if n < MinPasswordLength || n > MaxPasswordLength {
		return NewFieldError(field, KindLength, "must be %d to %d characters long; got %d characters",
			MinPasswordLength, MaxPasswordLength, n)
	}
	if hasControl(v) {
		return NewFieldError(field, KindCharacters, "must be valid UTF-8 without control characters (such as newline or NUL)")
	}
	if got := passwordCategories(v); got < MinPasswordCategories {
		return NewFieldError(field, KindComplexity, "must contain characters from at least %d of these categories: %s; it has %d",
			MinPasswordCategories, passwordCategoryNamesDoc, got)
	}
	return nil
}

func passwordCategories(v string) int {
	var upper, lower, digit, other bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case isASCIIDigit(c):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			n++
		}
	}
	return n
}

// ValidateMaintenanceWindow checks the maintenance_window block: day_of_week 0–6 (0 = Sunday),
// start_hour 0–23, start_minute 0–59 (UTC).
func ValidateMaintenanceWindow(day, hour, minute int64) FieldErrors {
	var errs FieldErrors
	errs.Add(validateRange("maintenance_window.day_of_week", day, 0, 6, " (0 = Sunday)"))
	errs.Add(validateRange("maintenance_window.start_hour", hour, 0, 23, " (UTC)"))
	errs.Add(validateRange("maintenance_window.start_minute", minute, 0, 59, ""))
	return errs
}

// ValidateHAMode checks high_availability.mode.
func ValidateHAMode(v string) *FieldError {
	return validateOneOf("high_availability.mode", KindAllowedValues, v, HAModes())
}

// ValidateState checks the desired state.
func ValidateState(v string) *FieldError {
	return validateOneOf("state", KindAllowedValues, v, DesiredStates())
}

// ValidateCreateMode checks create_mode.
func ValidateCreateMode(v string) *FieldError {
	return validateOneOf("create_mode", KindAllowedValues, v, CreateModes())
}

func validateOneOf(field string, rule RuleKind, v string, values []string) *FieldError {
	if inList(v, values) {
		return nil
	}
	return NewFieldError(field, rule, "must be one of %s; got %s", joinValues(values), quote(v))
}

func validateRange(field string, v, lo, hi int64, note string) *FieldError {
	if v >= lo && v <= hi {
		return nil
	}
	return NewFieldError(field, KindRange, "must be between %d and %d%s; got %d", lo, hi, note, v)
}
