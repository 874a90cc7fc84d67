package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// serverResourceModel is the flexpg_server state. administrator_password_wo is in the schema but always null
// here outside of the configuration: Terraform never stores write-only values.
type serverResourceModel struct {
	AdministratorLogin             types.String   `tfsdk:"administrator_login"`
	AdministratorPassword          types.String   `tfsdk:"administrator_password"`
	AdministratorPasswordWO        types.String   `tfsdk:"administrator_password_wo"`
	AdministratorPasswordWOVersion types.Int64    `tfsdk:"administrator_password_wo_version"`
	AutoGrowEnabled                types.Bool     `tfsdk:"auto_grow_enabled"`
	BackupRetentionDays            types.Int64    `tfsdk:"backup_retention_days"`
	CreateMode                     types.String   `tfsdk:"create_mode"`
	DelegatedSubnetID              types.String   `tfsdk:"delegated_subnet_id"`
	EarliestRestoreTime            types.String   `tfsdk:"earliest_restore_time"`
	FQDN                           types.String   `tfsdk:"fqdn"`
	GeoRedundantBackupEnabled      types.Bool     `tfsdk:"geo_redundant_backup_enabled"`
	HAState                        types.String   `tfsdk:"ha_state"`
	HighAvailability               types.List     `tfsdk:"high_availability"` // at most one highAvailabilityModel
	Host                           types.String   `tfsdk:"host"`
	ID                             types.String   `tfsdk:"id"`
	Location                       types.String   `tfsdk:"location"`
	MaintenanceWindow              types.List     `tfsdk:"maintenance_window"` // at most one maintenanceWindowModel
	Name                           types.String   `tfsdk:"name"`
	PointInTimeRestoreTimeInUTC    types.String   `tfsdk:"point_in_time_restore_time_in_utc"`
	Port                           types.Int64    `tfsdk:"port"`
	PrivateDNSZoneID               types.String   `tfsdk:"private_dns_zone_id"`
	PublicNetworkAccessEnabled     types.Bool     `tfsdk:"public_network_access_enabled"`
	ReplicaCapacity                types.Int64    `tfsdk:"replica_capacity"`
	SKUName                        types.String   `tfsdk:"sku_name"`
	SourceServerID                 types.String   `tfsdk:"source_server_id"`
	StandbyZone                    types.String   `tfsdk:"standby_zone"`
	State                          types.String   `tfsdk:"state"`
	StorageMB                      types.Int64    `tfsdk:"storage_mb"`
	StorageTier                    types.String   `tfsdk:"storage_tier"`
	Tags                           types.Map      `tfsdk:"tags"`
	Timeouts                       timeouts.Value `tfsdk:"timeouts"`
	Version                        types.String   `tfsdk:"version"`
	Zone                           types.String   `tfsdk:"zone"`
}

type highAvailabilityModel struct {
	Mode                    types.String `tfsdk:"mode"`
	StandbyAvailabilityZone types.String `tfsdk:"standby_availability_zone"`
}

type maintenanceWindowModel struct {
	DayOfWeek   types.Int64 `tfsdk:"day_of_week"`
	StartHour   types.Int64 `tfsdk:"start_hour"`
	StartMinute types.Int64 `tfsdk:"start_minute"`
}

var (
	highAvailabilityAttrTypes = map[string]attr.Type{
		"mode":                      types.StringType,
		"standby_availability_zone": types.StringType,
	}
	maintenanceWindowAttrTypes = map[string]attr.Type{
		"day_of_week":  types.Int64Type,
		"start_hour":   types.Int64Type,
		"start_minute": types.Int64Type,
	}
)

// expandServer builds the PUT body from a planned (fully known) model. password is the administrator
// password to send, or "" to leave it unchanged; state is the power state the body asks for.
func expandServer(ctx context.Context, m serverResourceModel, password, state string) (model.Server, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := model.Server{
		Name:                        m.Name.ValueString(),
		Location:                    m.Location.ValueString(),
		Zone:                        m.Zone.ValueString(),
		Version:                     m.Version.ValueString(),
		SKUName:                     m.SKUName.ValueString(),
		StorageMB:                   m.StorageMB.ValueInt64(),
		StorageTier:                 m.StorageTier.ValueString(),
		AutoGrowEnabled:             m.AutoGrowEnabled.ValueBool(),
		AdministratorLogin:          m.AdministratorLogin.ValueString(),
		AdministratorPassword:       password,
		BackupRetentionDays:         int(m.BackupRetentionDays.ValueInt64()),
		GeoRedundantBackupEnabled:   m.GeoRedundantBackupEnabled.ValueBool(),
		DelegatedSubnetID:           m.DelegatedSubnetID.ValueString(),
		PrivateDNSZoneID:            m.PrivateDNSZoneID.ValueString(),
		CreateMode:                  m.CreateMode.ValueString(),
		SourceServerID:              m.SourceServerID.ValueString(),
		PointInTimeRestoreTimeInUTC: m.PointInTimeRestoreTimeInUTC.ValueString(),
		State:                       state,
	}
	if !m.PublicNetworkAccessEnabled.IsNull() && !m.PublicNetworkAccessEnabled.IsUnknown() {
		public := m.PublicNetworkAccessEnabled.ValueBool()
		s.PublicNetworkAccessEnabled = &public
	}
	if ha, ok := singleBlock[highAvailabilityModel](ctx, m.HighAvailability, &diags); ok {
		s.HighAvailability = &model.HighAvailability{
			Mode:                    ha.Mode.ValueString(),
			StandbyAvailabilityZone: ha.StandbyAvailabilityZone.ValueString(),
		}
	}
	if mw, ok := singleBlock[maintenanceWindowModel](ctx, m.MaintenanceWindow, &diags); ok {
		s.MaintenanceWindow = &model.MaintenanceWindow{
			DayOfWeek:   int(mw.DayOfWeek.ValueInt64()),
			StartHour:   int(mw.StartHour.ValueInt64()),
			StartMinute: int(mw.StartMinute.ValueInt64()),
		}
	}
	s.Tags = expandTags(ctx, m.Tags, &diags)
	return s, diags
}

// flattenServer copies what the cloud reports into m. Attributes the API never returns keep their prior
// values: the password (never read back) and the write-only version. The create-only arguments are read back
// as the cloud keeps them (a restored server reports how it was made, so an import reads them too), with
// create_mode Default read as unset when that is how it was configured.
func flattenServer(ctx context.Context, s *model.Server, m *serverResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(spec.ServerID(s.Name))
	m.Name = types.StringValue(s.Name)
	m.Location = types.StringValue(s.Location)
	m.Zone = stringOrNull(s.Zone)
	m.Version = types.StringValue(s.Version)
	m.SKUName = types.StringValue(s.SKUName)
	m.StorageMB = types.Int64Value(s.StorageMB)
	m.StorageTier = stringOrNull(s.StorageTier)
	m.AutoGrowEnabled = types.BoolValue(s.AutoGrowEnabled)
	m.AdministratorLogin = stringOrNull(s.AdministratorLogin)
	m.AdministratorPasswordWO = types.StringNull()
	m.BackupRetentionDays = types.Int64Value(int64(s.BackupRetentionDays))
	m.GeoRedundantBackupEnabled = types.BoolValue(s.GeoRedundantBackupEnabled)
	m.HighAvailability = flattenHighAvailability(s.HighAvailability, &diags)
	m.MaintenanceWindow = flattenMaintenanceWindow(s.MaintenanceWindow, &diags)
	m.DelegatedSubnetID = stringOrNull(s.DelegatedSubnetID)
	m.PrivateDNSZoneID = stringOrNull(s.PrivateDNSZoneID)
	m.PublicNetworkAccessEnabled = types.BoolValue(s.PublicNetworkAccessEnabled == nil || *s.PublicNetworkAccessEnabled)
	if s.DelegatedSubnetID != "" && s.PublicNetworkAccessEnabled == nil {
		m.PublicNetworkAccessEnabled = types.BoolValue(false)
	}
	m.State = stringOrNull(s.State)
	m.Tags = flattenTags(ctx, s.Tags, m.Tags, &diags)
	m.CreateMode = flattenCreateMode(s.CreateMode, m.CreateMode)
	m.SourceServerID = stringOrNull(s.SourceServerID)
	m.PointInTimeRestoreTimeInUTC = stringOrNull(s.PointInTimeRestoreTimeInUTC)

	m.FQDN = stringOrNull(s.FQDN)
	m.Host = stringOrNull(s.Host)
	m.Port = int64OrNull(int64(s.Port))
	m.HAState = stringOrNull(s.HAState)
	m.StandbyZone = stringOrNull(s.StandbyZone)
	m.EarliestRestoreTime = stringOrNull(s.EarliestRestoreTime)
	m.ReplicaCapacity = types.Int64Value(int64(s.ReplicaCapacity))
	return diags
}

// flattenCreateMode reads the create mode the cloud reports. The cloud reports Default for a server created
// without one, which is the same as unset: a prior unset (or unknown, after a create) value stays unset, so
// the configuration that left it out plans empty, and so does an import of such a server.
func flattenCreateMode(reported string, prior types.String) types.String {
	if spec.IsDefaultMode(reported) {
		if prior.IsNull() || prior.IsUnknown() {
			return types.StringNull()
		}
		reported = spec.CreateModeDefault
	}
	return types.StringValue(reported)
}

// flattenHighAvailability maps "no HA" (absent, empty or Disabled) to no block, the way it is configured.
func flattenHighAvailability(ha *model.HighAvailability, diags *diag.Diagnostics) types.List {
	if ha == nil || ha.Mode == "" || ha.Mode == "Disabled" {
		return noBlock(highAvailabilityAttrTypes)
	}
	return oneBlock(highAvailabilityAttrTypes, map[string]attr.Value{
		"mode":                      types.StringValue(ha.Mode),
		"standby_availability_zone": stringOrNull(ha.StandbyAvailabilityZone),
	}, diags)
}

func flattenMaintenanceWindow(mw *model.MaintenanceWindow, diags *diag.Diagnostics) types.List {
	if mw == nil {
		return noBlock(maintenanceWindowAttrTypes)
	}
	return oneBlock(maintenanceWindowAttrTypes, map[string]attr.Value{
		"day_of_week":  types.Int64Value(int64(mw.DayOfWeek)),
		"start_hour":   types.Int64Value(int64(mw.StartHour)),
		"start_minute": types.Int64Value(int64(mw.StartMinute)),
	}, diags)
}

// serverConfig converts a model (configuration or plan) into the spec's view for validation. Attributes whose
// values are unknown are returned in unknown (as spec field paths) so their errors can be dropped: spec reads
// a zero value as "not set". password is the administrator password from whichever attribute holds it.
func serverConfig(ctx context.Context, m serverResourceModel, password types.String) (c spec.ServerConfig, unknown []string) {
	str := func(field string, v types.String) string {
		if v.IsUnknown() {
			unknown = append(unknown, field)
		}
		return v.ValueString()
	}
	num := func(field string, v types.Int64) int64 {
		if v.IsUnknown() {
			unknown = append(unknown, field)
		}
		return v.ValueInt64()
	}
	c = spec.ServerConfig{
		Name:                   str("name", m.Name),
		Location:               str("location", m.Location),
		Zone:                   str("zone", m.Zone),
		Version:                str("version", m.Version),
		SKUName:                str("sku_name", m.SKUName),
		StorageMB:              num("storage_mb", m.StorageMB),
		StorageTier:            str("storage_tier", m.StorageTier),
		AutoGrowEnabled:        m.AutoGrowEnabled.ValueBool(),
		AdministratorLogin:     str("administrator_login", m.AdministratorLogin),
		AdministratorPassword:  str("administrator_password", password),
		BackupRetentionDays:    num("backup_retention_days", m.BackupRetentionDays),
		DelegatedSubnetID:      str("delegated_subnet_id", m.DelegatedSubnetID),
		PrivateDNSZoneID:       str("private_dns_zone_id", m.PrivateDNSZoneID),
		CreateMode:             str("create_mode", m.CreateMode),
		SourceServerID:         str("source_server_id", m.SourceServerID),
		PointInTimeRestoreTime: str("point_in_time_restore_time_in_utc", m.PointInTimeRestoreTimeInUTC),
		State:                  str("state", m.State),
	}
	c.GeoRedundantBackupEnabled = m.GeoRedundantBackupEnabled.ValueBool()

	// Unset public access means "the default for the network mode", which is never an error.
	switch {
	case m.PublicNetworkAccessEnabled.IsUnknown():
		unknown = append(unknown, "public_network_access_enabled")
	case m.PublicNetworkAccessEnabled.IsNull():
		c.PublicNetworkAccessEnabled = !c.IsPrivate()
	default:
		c.PublicNetworkAccessEnabled = m.PublicNetworkAccessEnabled.ValueBool()
	}
	// An unknown create mode decides which credentials and restore arguments are required.
	if m.CreateMode.IsUnknown() {
		unknown = append(unknown, "administrator_login", "administrator_password", "sku_name",
			"source_server_id", "point_in_time_restore_time_in_utc")
	}

	switch {
	case m.HighAvailability.IsUnknown():
		unknown = append(unknown, "high_availability")
	default:
		if ha, ok := singleBlock[highAvailabilityModel](ctx, m.HighAvailability, nil); ok {
			c.HA = &spec.HighAvailability{
				Mode:        str("high_availability.mode", ha.Mode),
				StandbyZone: str("high_availability.standby_availability_zone", ha.StandbyAvailabilityZone),
			}
		}
	}
	switch {
	case m.MaintenanceWindow.IsUnknown():
		unknown = append(unknown, "maintenance_window")
	default:
		if mw, ok := singleBlock[maintenanceWindowModel](ctx, m.MaintenanceWindow, nil); ok {
			c.Maintenance = &spec.MaintenanceWindow{
				DayOfWeek:   num("maintenance_window.day_of_week", mw.DayOfWeek),
				StartHour:   num("maintenance_window.start_hour", mw.StartHour),
				StartMinute: num("maintenance_window.start_minute", mw.StartMinute),
			}
		}
	}
	return c, unknown
}
