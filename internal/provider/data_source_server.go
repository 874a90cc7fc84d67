package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ datasource.DataSource              = &serverDataSource{}
	_ datasource.DataSourceWithConfigure = &serverDataSource{}
)

// NewServerDataSource is the flexpg_server data source.
func NewServerDataSource() datasource.DataSource {
	return &serverDataSource{}
}

type serverDataSource struct {
	dataSourceBase
}

func (d *serverDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server"
}

// Schema mirrors the flexpg_server resource, every attribute computed, without the password attributes, and
// adds what only a reader of the server wants: its replication state and lag metrics.
func (d *serverDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an existing flexible server by name.",
		Attributes: map[string]schema.Attribute{
			"administrator_login": computed("Login of the server's administrator role."),
			"auto_grow_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether storage grows automatically.", Computed: true,
			},
			"backup_retention_days": schema.Int64Attribute{
				MarkdownDescription: "Days of backups kept for point-in-time restore.", Computed: true,
			},
			"create_mode":           computed("How the server was created, when the cloud reports it."),
			"delegated_subnet_id":   computed("Subnet of a private-access server."),
			"earliest_restore_time": computed("Earliest time (RFC 3339, UTC) the server can be restored to."),
			"fqdn":                  computed("Fully qualified domain name of the server."),
			"geo_redundant_backup_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether backups are also kept in the paired region.", Computed: true,
			},
			"ha_state": computed(haStateDescription()),
			"high_availability": schema.ListNestedAttribute{
				MarkdownDescription: "High availability: one element, or none when HA is disabled.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"mode":                      computed("HA mode."),
					"standby_availability_zone": computed("Zone of the standby, when it was configured; a failover swaps it with `zone`."),
				}},
			},
			"host":     computed("Host address on this machine that reaches the current primary; null for private-access servers."),
			"id":       computed("ID of the server, `/" + spec.CollectionServers + "/<name>`."),
			"location": computed("Region of the server."),
			"max_physical_replication_lag_bytes": schema.Int64Attribute{
				MarkdownDescription: "On a primary with read replicas, the bytes of WAL between the primary's current " +
					"position and its most lagging replica (the service's Max Physical Replication Lag), read from " +
					"PostgreSQL when the data source is read. Null on a server without connected replicas.",
				Computed: true,
			},
			"maintenance_window": schema.ListNestedAttribute{
				MarkdownDescription: "Custom maintenance window (UTC): one element, or none when the cloud chooses.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"day_of_week":  schema.Int64Attribute{MarkdownDescription: "Day of the week (0 = Sunday).", Computed: true},
					"start_hour":   schema.Int64Attribute{MarkdownDescription: "Start hour.", Computed: true},
					"start_minute": schema.Int64Attribute{MarkdownDescription: "Start minute.", Computed: true},
				}},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the server; " + validators.ServerName().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.ServerName()},
			},
			"point_in_time_restore_time_in_utc": computed("Restore time of a restored server, when the cloud reports it."),
			"port": schema.Int64Attribute{
				MarkdownDescription: "Port on `host` that reaches the current primary; null for private-access servers.", Computed: true,
			},
			"private_dns_zone_id": computed("Private DNS zone of a private-access server."),
			"public_network_access_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the server has a public endpoint.", Computed: true,
			},
			"read_replica_lag_seconds": schema.Float64Attribute{
				MarkdownDescription: "On a read replica, the seconds since the last transaction it replayed was " +
					"committed on its primary (the service's Read Replica Lag); it also grows while the primary is " +
					"idle. Null on a server that is not a replica.",
				Computed: true,
			},
			"replica_capacity": schema.Int64Attribute{
				MarkdownDescription: "How many more read replicas the server can have: none for a Burstable server or a replica.", Computed: true,
			},
			"replication_state": computed("On a read replica, or a server promoted from one, the state of its " +
				"replication; one of " + spec.MarkdownList(spec.ReplicationStates()) + ". Null on a server that " +
				"was never a replica."),
			"sku_name":         computed("Compute size."),
			"source_server_id": computed("Source of a restored server, when the cloud reports it."),
			"standby_zone":     computed("Availability zone of the HA standby (after a failover, the former primary's); null without HA."),
			"state":            computed("Observed state of the server, for example `Ready` or `Stopped`."),
			"storage_mb": schema.Int64Attribute{
				MarkdownDescription: "Storage size in MB.", Computed: true,
			},
			"storage_tier": computed("Performance tier of the disk."),
			"tags": schema.MapAttribute{
				MarkdownDescription: "Tags of the server.", ElementType: types.StringType, Computed: true,
			},
			"version": computed("PostgreSQL major version."),
			"zone":    computed("Availability zone of the primary: after a failover, where the new primary is."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *serverDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config serverDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, c := d.beginRead(ctx, config.Timeouts, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	name := config.Name.ValueString()
	s, err := c.GetServer(ctx, name)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Server Not Found",
			fmt.Sprintf("The flexpg cloud has no server named %q.", name))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Server", fmt.Sprintf("Could not read server %q", name), err)
		return
	}

	metrics := readMetrics(ctx, c, name, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// The resource's flattening is the single mapping from the API document; copy its result.
	var m serverResourceModel
	resp.Diagnostics.Append(flattenServer(ctx, s, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	out := serverDataSourceModel{
		AdministratorLogin:          m.AdministratorLogin,
		AutoGrowEnabled:             m.AutoGrowEnabled,
		BackupRetentionDays:         m.BackupRetentionDays,
		CreateMode:                  stringOrNull(s.CreateMode),
		DelegatedSubnetID:           m.DelegatedSubnetID,
		EarliestRestoreTime:         m.EarliestRestoreTime,
		FQDN:                        m.FQDN,
		GeoRedundantBackupEnabled:   m.GeoRedundantBackupEnabled,
		HAState:                     m.HAState,
		HighAvailability:            m.HighAvailability,
		Host:                        m.Host,
		ID:                          m.ID,
		Location:                    m.Location,
		MaintenanceWindow:           m.MaintenanceWindow,
		MaxPhysicalReplicationLag:   metrics.lagBytes,
		Name:                        m.Name,
		PointInTimeRestoreTimeInUTC: stringOrNull(s.PointInTimeRestoreTimeInUTC),
		Port:                        m.Port,
		PrivateDNSZoneID:            m.PrivateDNSZoneID,
		PublicNetworkAccessEnabled:  m.PublicNetworkAccessEnabled,
		ReadReplicaLagSeconds:       metrics.lagSeconds,
		ReplicaCapacity:             m.ReplicaCapacity,
		ReplicationState:            stringOrNull(s.ReplicationState),
		SKUName:                     m.SKUName,
		SourceServerID:              stringOrNull(s.SourceServerID),
		StandbyZone:                 m.StandbyZone,
		State:                       m.State,
		StorageMB:                   m.StorageMB,
		StorageTier:                 m.StorageTier,
		Tags:                        m.Tags,
		Timeouts:                    config.Timeouts,
		Version:                     m.Version,
		Zone:                        m.Zone,
	}
	if m.Tags.IsNull() {
		out.Tags = types.MapValueMust(types.StringType, nil)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

type serverDataSourceModel struct {
	AdministratorLogin          types.String   `tfsdk:"administrator_login"`
	AutoGrowEnabled             types.Bool     `tfsdk:"auto_grow_enabled"`
	BackupRetentionDays         types.Int64    `tfsdk:"backup_retention_days"`
	CreateMode                  types.String   `tfsdk:"create_mode"`
	DelegatedSubnetID           types.String   `tfsdk:"delegated_subnet_id"`
	EarliestRestoreTime         types.String   `tfsdk:"earliest_restore_time"`
	FQDN                        types.String   `tfsdk:"fqdn"`
	GeoRedundantBackupEnabled   types.Bool     `tfsdk:"geo_redundant_backup_enabled"`
	HAState                     types.String   `tfsdk:"ha_state"`
	HighAvailability            types.List     `tfsdk:"high_availability"` // at most one highAvailabilityModel
	Host                        types.String   `tfsdk:"host"`
	ID                          types.String   `tfsdk:"id"`
	Location                    types.String   `tfsdk:"location"`
	MaintenanceWindow           types.List     `tfsdk:"maintenance_window"` // at most one maintenanceWindowModel
	MaxPhysicalReplicationLag   types.Int64    `tfsdk:"max_physical_replication_lag_bytes"`
	Name                        types.String   `tfsdk:"name"`
	PointInTimeRestoreTimeInUTC types.String   `tfsdk:"point_in_time_restore_time_in_utc"`
	Port                        types.Int64    `tfsdk:"port"`
	PrivateDNSZoneID            types.String   `tfsdk:"private_dns_zone_id"`
	PublicNetworkAccessEnabled  types.Bool     `tfsdk:"public_network_access_enabled"`
	ReadReplicaLagSeconds       types.Float64  `tfsdk:"read_replica_lag_seconds"`
	ReplicaCapacity             types.Int64    `tfsdk:"replica_capacity"`
	ReplicationState            types.String   `tfsdk:"replication_state"`
	SKUName                     types.String   `tfsdk:"sku_name"`
	SourceServerID              types.String   `tfsdk:"source_server_id"`
	StandbyZone                 types.String   `tfsdk:"standby_zone"`
	State                       types.String   `tfsdk:"state"`
	StorageMB                   types.Int64    `tfsdk:"storage_mb"`
	StorageTier                 types.String   `tfsdk:"storage_tier"`
	Tags                        types.Map      `tfsdk:"tags"`
	Timeouts                    timeouts.Value `tfsdk:"timeouts"`
	Version                     types.String   `tfsdk:"version"`
	Zone                        types.String   `tfsdk:"zone"`
}
