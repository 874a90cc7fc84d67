package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// serverResourceSchema is the flexpg_server schema. Attributes are alphabetical. high_availability and
// maintenance_window are blocks of at most one, written as azurerm users write them (`high_availability {
// mode = "ZoneRedundant" }`, read as high_availability[0].mode), so a module written for azurerm ports
// unchanged; a diagnostic on a block's attribute points at that attribute's own line. The spec field table
// adds RequiresReplace (withFieldTable).
func serverResourceSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a PostgreSQL flexible server: real PostgreSQL run by the flexpg cloud in " +
			"Docker, one instance or, with a `high_availability` block, a primary and a synchronous standby.\n\n" +
			haFailoverDescription,
		Attributes: map[string]schema.Attribute{
			"administrator_login": schema.StringAttribute{
				MarkdownDescription: "Login of the server's administrator role; required when `create_mode` is `Default`. " +
					"A restore takes its source's login (the role is in the restored data): leave it unset, or repeat it. " +
					"It is not a superuser, as on the real service. Value " +
					validators.AdministratorLogin().MarkdownDescription(ctx) + ".",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.AdministratorLogin()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"administrator_password": schema.StringAttribute{
				MarkdownDescription: "Password of the administrator, stored (sensitive) in state; required (or " +
					"`administrator_password_wo`) when `create_mode` is `Default`. A restore may leave it unset: the " +
					"restored data keeps the source's password (as it was at the restore time), and a given one replaces " +
					"it. Conflicts with `administrator_password_wo`. Value " +
					validators.Password("administrator_password").MarkdownDescription(ctx) + ".",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					validators.Password("administrator_password"),
					stringvalidator.ConflictsWith(path.MatchRoot("administrator_password_wo")),
				},
			},
			"administrator_password_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only password of the administrator (Terraform 1.11 or later); it is never " +
					"stored in state or plan. Requires `administrator_password_wo_version`: the password is only sent " +
					"at create and when that version changes. Conflicts with `administrator_password`. Value " +
					validators.Password("administrator_password_wo").MarkdownDescription(ctx) + ".",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				Validators: []validator.String{
					validators.Password("administrator_password_wo"),
					stringvalidator.ConflictsWith(path.MatchRoot("administrator_password")),
					stringvalidator.AlsoRequires(path.MatchRoot("administrator_password_wo_version")),
				},
			},
			"administrator_password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `administrator_password_wo`. Change it (for example increment it) to " +
					"send a new write-only password; the password itself is never compared.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("administrator_password_wo"))},
			},
			"auto_grow_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the cloud grows `storage_mb` to the next size when the disk is 95% full " +
					"(instead of switching the server to read-only). A size grown this way is not drift: while " +
					"auto-grow is on, a configured `storage_mb` below the current size plans the current size. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"backup_retention_days": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Days of backups (base backups and WAL) kept for point-in-time "+
					"restore; %s. Defaults to `%d` at create; when unset later, the current value is kept.",
					validators.BackupRetentionDays().MarkdownDescription(ctx), spec.DefaultBackupRetentionDays),
				Optional:      true,
				Computed:      true,
				Validators:    []validator.Int64{validators.BackupRetentionDays()},
				PlanModifiers: []planmodifier.Int64{planmodifiers.Int64StateOrDefault(spec.DefaultBackupRetentionDays)},
			},
			"create_mode": schema.StringAttribute{
				MarkdownDescription: "How the server is created; " + validators.CreateMode().MarkdownDescription(ctx) +
					". Unset means `Default`: a new, empty server. `PointInTimeRestore` creates a new standalone server " +
					"from the backups of `source_server_id` as they were at `point_in_time_restore_time_in_utc`, in the " +
					"source's region; `GeoRestore` does the same from the copy of the backups in the source region's pair " +
					"(the source needs `geo_redundant_backup_enabled`, and `location` must be that paired region). A " +
					"restore takes `sku_name`, `storage_mb`, `version` and `administrator_login` (and the password, which " +
					"is in the data) from the source unless they are set, gets the firewall rules and server parameters " +
					"of a source that still exists, and has no high availability: add the `high_availability` block in a " +
					"later apply. " + restoreArgumentsKept,
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.CreateMode()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"delegated_subnet_id": schema.StringAttribute{
				MarkdownDescription: "ID of a subnet (`flexpg_subnet.<name>.id`, `/" + spec.CollectionVirtualNetworks +
					"/<vnet>/" + spec.CollectionSubnets + "/<subnet>`) for private access: the subnet must be delegated to `" +
					spec.DelegationFlexibleServers + "` and its virtual network must be in the server's region. Requires " +
					"`private_dns_zone_id`. A private-access server has no public endpoint (`host` and `port` are null) and " +
					"takes no firewall rules. Unset, the server has public access; a point-in-time restore of a private " +
					"server left without it is private in the source's subnet (a geo-restore of one needs a subnet of its own region).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{planmodifiers.NetworkFromRestoreSource(path.Root("create_mode"))},
			},
			// Not kept from state: the time moves forward as retention lets old backups go, so it is read anew
			// after every change.
			"earliest_restore_time": schema.StringAttribute{
				MarkdownDescription: "Earliest time (RFC 3339, UTC, on the cloud's clock) the server can be restored " +
					"to: the completion of its first full backup, or `backup_retention_days` ago once that is later. Null " +
					"until the first full backup, which the cloud takes right after the server is created.",
				Computed: true,
			},
			"fqdn": computedKept("Fully qualified domain name of the server, `<name>." + spec.DNSSuffix + "`, resolvable inside the cloud."),
			"geo_redundant_backup_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether backups are also kept in the paired region. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"ha_state": schema.StringAttribute{
				MarkdownDescription: haStateDescription(),
				Computed:            true,
			},
			"host": computedKept("Host address on this machine that reaches the current primary (`127.0.0.1`); null for private-access servers."),
			"id":   computedKept("ID of the server, `/" + spec.CollectionServers + "/<name>`."),
			"location": schema.StringAttribute{
				MarkdownDescription: "Region of the server; " + validators.Location().MarkdownDescription(ctx) + ".",
				Required:            true,
				Validators:          []validator.String{validators.Location()},
			},
			"name": serverNameAttribute(ctx, "Name of the server; it is also the first label of its FQDN."),
			"point_in_time_restore_time_in_utc": schema.StringAttribute{
				MarkdownDescription: "Time to restore `source_server_id` to, RFC 3339 (such as `2025-01-31T12:00:00Z`, " +
					"fractions of a second allowed) on the cloud's clock; required when `create_mode` is `PointInTimeRestore` " +
					"or `GeoRestore`, and only then. Every transaction committed at or before it is restored, none after it. " +
					"It must lie between the source's `earliest_restore_time` and now, which the cloud checks at apply. " +
					"Removed from the configuration later, it is kept (see `create_mode`).",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"port": computedKeptPort("Port on `host` that reaches the current primary; it stays the same across failovers. Null for private-access servers."),
			"private_dns_zone_id": schema.StringAttribute{
				MarkdownDescription: "ID of the private DNS zone (`flexpg_private_dns_zone.<name>.id`, `/" +
					spec.CollectionPrivateDNSZones + "/<zone>`) the server registers its record `<server>.<zone>` in; " +
					"required with `delegated_subnet_id`, and only with it. The zone's name must end in `." + spec.DNSSuffix +
					"` and must not be the server's own FQDN. A point-in-time restore of a private server left without " +
					"both takes its source's zone.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{planmodifiers.NetworkFromRestoreSource(path.Root("create_mode"))},
			},
			"public_network_access_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the server has a public endpoint guarded by firewall rules. Defaults to " +
					"`true`, or `false` for a private-access server (`delegated_subnet_id` set), which must not enable it.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"replica_capacity": schema.Int64Attribute{
				MarkdownDescription: "How many more read replicas (`flexpg_read_replica`) the server can have: none for a Burstable server or a replica.",
				Computed:            true,
			},
			"sku_name": schema.StringAttribute{
				MarkdownDescription: "Compute size, `<tier>_<size>` with tier `B` (Burstable), `GP` (GeneralPurpose) or " +
					"`MO` (MemoryOptimized); one of " + spec.MarkdownList(spec.SKUNames()) + ". Required when " +
					"`create_mode` is `Default`; a restore takes its source's SKU unless it is set. Scaling is an in-place change.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.SKUName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"source_server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the server to restore from (`flexpg_server.<name>.id`, `/" + spec.CollectionServers +
					"/<name>`); required when `create_mode` is `PointInTimeRestore` or `GeoRestore`, and only then. A " +
					"deleted server can be restored until its backup retention ends; a read replica cannot (it has no backups). " +
					"Removed from the configuration later, it is kept (see `create_mode`).",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.ServerID("source_server_id")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"standby_zone": schema.StringAttribute{
				MarkdownDescription: "Availability zone of the HA standby, as placed by the cloud; after a failover, " +
					"the zone of the former primary, which is the standby now. Null without high availability.",
				Computed: true,
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "Power state: " + validators.State().MarkdownDescription(ctx) + ". `Stopped` stops " +
					"the server (the cloud starts it again after 7 days, as the service does). Defaults to `" +
					spec.StateReady + "` at create; when unset later, the current state is kept, so stopping and " +
					"starting from the CLI is not drift.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.State()},
				PlanModifiers: []planmodifier.String{planmodifiers.StringStateOrDefault(spec.StateReady)},
			},
			"storage_mb": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Storage size in MB; %s. Storage can only grow: a smaller value is a "+
					"plan-time error (with `auto_grow_enabled`, a size the cloud has grown to is kept instead). "+
					"Defaults to `%d` at create; a restore takes its source's size instead (a larger one may be set); "+
					"when unset later, the current size is kept.",
					validators.StorageMB().MarkdownDescription(ctx), spec.DefaultStorageMB),
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{validators.StorageMB()},
				PlanModifiers: []planmodifier.Int64{
					planmodifiers.Int64StateOrDefault(spec.DefaultStorageMB),
					planmodifiers.KeepAutoGrownStorage(path.Root("auto_grow_enabled")),
				},
			},
			"storage_tier": schema.StringAttribute{
				MarkdownDescription: "Performance tier of the disk; " + validators.StorageTier().MarkdownDescription(ctx) +
					", and allowed for the size. Unset, it follows `storage_mb`: each size's default (lowest) tier is " +
					"planned whenever the size changes.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{validators.StorageTier()},
			},
			"tags": schema.MapAttribute{
				MarkdownDescription: "Tags of the server.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"version": schema.StringAttribute{
				MarkdownDescription: "PostgreSQL major version; " + validators.Version().MarkdownDescription(ctx) +
					". Defaults to `" + spec.DefaultVersion + "` at create; a restore takes its source's version (the " +
					"restored data's; it may be repeated, not changed). When unset later, the current version is kept. " +
					"A lower version replaces the server; in-place upgrades are not offered yet and are refused at apply.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{validators.Version()},
				PlanModifiers: []planmodifier.String{
					planmodifiers.StringStateOrDefault(spec.DefaultVersion),
					planmodifiers.RequiresReplaceOnVersionDowngrade(),
				},
			},
			"zone": optionalKept("Availability zone of the primary, one of the region's zones. Unset, the choice " +
				"is left to the cloud, and whatever it reports is kept (no diff), also after a failover. With " +
				"high availability it changes only by failing over: the cloud reports the new primary's zone " +
				"after a failover, and setting it to `standby_zone` is a planned failover."),
		},
		Blocks: map[string]schema.Block{
			"high_availability": schema.ListNestedBlock{
				MarkdownDescription: "High availability: a synchronous standby, in another zone (`ZoneRedundant`) " +
					"or the primary's (`SameZone`), that the cloud fails over to. Not available on the Burstable " +
					"tier. Adding the block enables HA in place (the apply waits until `ha_state` is `Healthy`); " +
					"removing it disables HA in place. The rules are checked at plan time. How failovers show in " +
					"plans: see the resource's description.",
				NestedObject: schema.NestedBlockObject{Attributes: highAvailabilityAttributes(ctx)},
				Validators:   []validator.List{listvalidator.SizeAtMost(1)},
			},
			"maintenance_window": schema.ListNestedBlock{
				MarkdownDescription: "Custom weekly maintenance window (UTC). Omit the block to let the cloud choose.",
				NestedObject:        schema.NestedBlockObject{Attributes: maintenanceWindowAttributes(ctx)},
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
			},
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.ServerFields())
}

// restoreArgumentsKept says what removing the create-only arguments from the configuration of an existing
// server does: nothing. azurerm replaces a restored server then (hashicorp/terraform-provider-azurerm#18257);
// here a restored server becomes a server managed like any other.
const restoreArgumentsKept = "Once the server exists, removing `create_mode`, `source_server_id` and " +
	"`point_in_time_restore_time_in_utc` from the configuration keeps their values and the server (the cloud " +
	"still reports how it was made); a configuration without them is a `Default` one, so it names `sku_name`, " +
	"`administrator_login` and a password, and a private server its network."

// haFailoverDescription says how a failover shows in Terraform; it is part of the resource's description.
const haFailoverDescription = "With high availability the cloud fails over to the standby by itself when the " +
	"primary dies or hangs, and on demand (`terraform-provider-flexpg cloud server failover --planned <name>`). " +
	"`host` and `port`, or the FQDN of a private-access server, always reach the current primary. Terraform sees " +
	"a failover at the next refresh: `zone` is the new primary's zone, `standby_zone` the former primary's, and " +
	"`high_availability[0].standby_availability_zone`, if it is set, is swapped with `zone` too.\n\n" +
	"So a configuration that sets `zone` plans, after an unplanned failover, only an in-place update that swaps " +
	"the two zones back, never a replacement; applying it fails back with a planned failover (the standby " +
	"catches up and the primary is drained first, so nothing is lost). The same swap written on purpose, `zone` " +
	"set to `standby_zone` and `standby_availability_zone` to the current `zone`, is how to fail over from " +
	"Terraform; any other change of `zone` of a server with high availability is refused. To keep the primary " +
	"where a failover put it, leave both zones to the cloud (neither `zone` nor `standby_availability_zone` " +
	"set) or add `lifecycle { ignore_changes = [zone, high_availability[0].standby_availability_zone] }`: the " +
	"plan after a failover is then empty. Setting `standby_availability_zone` without `zone` is not enough: " +
	"after a failover the plan asks for the standby in the primary's new zone, which the apply refuses."

func highAvailabilityAttributes(ctx context.Context) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"mode": schema.StringAttribute{
			MarkdownDescription: "HA mode; " + validators.HAMode().MarkdownDescription(ctx) + ". `ZoneRedundant` " +
				"needs a region with zone-redundant HA.",
			Required:   true,
			Validators: []validator.String{validators.HAMode()},
		},
		"standby_availability_zone": schema.StringAttribute{
			MarkdownDescription: "Zone of the standby. For `ZoneRedundant` it must differ from `zone`, for " +
				"`SameZone` equal it. Unset, the cloud picks one and it is kept. Set, a failover swaps it with " +
				"`zone` as the cloud reports them.",
			Optional:      true,
			Computed:      true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
}

func maintenanceWindowAttributes(ctx context.Context) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"day_of_week": schema.Int64Attribute{
			MarkdownDescription: "Day of the week; " + validators.MaintenanceDayOfWeek().MarkdownDescription(ctx) + ". Defaults to `0`.",
			Optional:            true,
			Computed:            true,
			Default:             int64default.StaticInt64(0),
			Validators:          []validator.Int64{validators.MaintenanceDayOfWeek()},
		},
		"start_hour": schema.Int64Attribute{
			MarkdownDescription: "Start hour; " + validators.MaintenanceStartHour().MarkdownDescription(ctx) + ". Defaults to `0`.",
			Optional:            true,
			Computed:            true,
			Default:             int64default.StaticInt64(0),
			Validators:          []validator.Int64{validators.MaintenanceStartHour()},
		},
		"start_minute": schema.Int64Attribute{
			MarkdownDescription: "Start minute; " + validators.MaintenanceStartMinute().MarkdownDescription(ctx) + ". Defaults to `0`.",
			Optional:            true,
			Computed:            true,
			Default:             int64default.StaticInt64(0),
			Validators:          []validator.Int64{validators.MaintenanceStartMinute()},
		},
	}
}
