package validators

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// ServerName checks flexpg_server.name.
func ServerName() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be %d to %d characters of lowercase letters, digits and hyphens, starting "+
			"and ending with a letter or digit", spec.MinServerNameLength, spec.MaxServerNameLength),
		check: spec.ValidateServerName,
	}
}

// Location checks that a location is a catalog region.
func Location() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.RegionNames()),
		check:       spec.ValidateLocation,
	}
}

// Version checks the PostgreSQL major version.
func Version() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.Versions()),
		check:       spec.ValidateVersion,
	}
}

// SKUName checks that sku_name is a catalog SKU.
func SKUName() validator.String {
	return stringRule{
		description: "must be a catalog SKU such as `B_Standard_B1ms`, `GP_Standard_D2s_v3` or `MO_Standard_E4s_v3`",
		check:       spec.ValidateSKUName,
	}
}

// StorageMB checks that storage_mb is an allowed size.
func StorageMB() validator.Int64 {
	return int64Rule{
		description: "must be one of " + spec.MarkdownInts(spec.StorageSizesMB()),
		check:       spec.ValidateStorageMB,
	}
}

// StorageTier checks that storage_tier names a performance tier. Whether the tier fits the size is a
// cross-field rule, checked by the resource.
func StorageTier() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.StorageTiers()),
		check: func(tier string) *spec.FieldError {
			fe := spec.ValidateStorageTier(0, tier)
			if fe != nil && fe.Rule != spec.Rule("storage_tier", spec.KindAllowedValues) {
				return nil // a size rule: the resource checks it against the planned size
			}
			return fe
		},
	}
}

// BackupRetentionDays checks the retention range.
func BackupRetentionDays() validator.Int64 {
	return int64Rule{
		description: fmt.Sprintf("must be between %d and %d", spec.MinBackupRetentionDays, spec.MaxBackupRetentionDays),
		check:       spec.ValidateBackupRetentionDays,
	}
}

// AdministratorLogin checks the admin login, including the reserved names.
func AdministratorLogin() validator.String {
	return stringRule{
		description: fmt.Sprintf("must be 1 to %d letters, digits and underscores, starting with a letter or "+
			"underscore; must not start with `%s` nor be one of %s", spec.MaxAdministratorLoginLength,
			spec.ReservedLoginPrefix, spec.MarkdownList(spec.ReservedAdminLogins())),
		check: spec.ValidateAdministratorLogin,
	}
}

// Password checks a password given in the attribute named field (administrator_password or
// administrator_password_wo), so the message names the attribute the user wrote.
func Password(field string) validator.String {
	return stringRule{
		description: fmt.Sprintf("must be %d to %d characters from at least %d of: uppercase letters, lowercase "+
			"letters, digits, non-alphanumeric characters", spec.MinPasswordLength, spec.MaxPasswordLength,
			spec.MinPasswordCategories),
		check: func(v string) *spec.FieldError { return spec.ValidatePassword(field, v) },
	}
}

// HAMode checks high_availability.mode.
func HAMode() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.HAModes()),
		check:       spec.ValidateHAMode,
	}
}

// State checks the desired server state.
func State() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.DesiredStates()),
		check:       spec.ValidateState,
	}
}

// CreateMode checks create_mode.
func CreateMode() validator.String {
	return stringRule{
		description: "must be one of " + spec.MarkdownList(spec.CreateModes()),
		check:       spec.ValidateCreateMode,
	}
}

// Maintenance-window fields. spec checks the block as a whole; each attribute validator runs that rule with
// the other two fields at a valid value (0) and reports only its own field.

// MaintenanceDayOfWeek checks maintenance_window.day_of_week.
func MaintenanceDayOfWeek() validator.Int64 {
	return int64Rule{
		description: "must be between 0 (Sunday) and 6",
		check: func(v int64) *spec.FieldError {
			return only(spec.ValidateMaintenanceWindow(v, 0, 0), "maintenance_window.day_of_week")
		},
	}
}

// MaintenanceStartHour checks maintenance_window.start_hour.
func MaintenanceStartHour() validator.Int64 {
	return int64Rule{
		description: "must be between 0 and 23 (UTC)",
		check: func(v int64) *spec.FieldError {
			return only(spec.ValidateMaintenanceWindow(0, v, 0), "maintenance_window.start_hour")
		},
	}
}

// MaintenanceStartMinute checks maintenance_window.start_minute.
func MaintenanceStartMinute() validator.Int64 {
	return int64Rule{
		description: "must be between 0 and 59",
		check: func(v int64) *spec.FieldError {
			return only(spec.ValidateMaintenanceWindow(0, 0, v), "maintenance_window.start_minute")
		},
	}
}
