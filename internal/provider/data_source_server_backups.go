package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ datasource.DataSource              = &serverBackupsDataSource{}
	_ datasource.DataSourceWithConfigure = &serverBackupsDataSource{}
)

// NewServerBackupsDataSource is the flexpg_server_backups data source: the backups of a server (DESIGN §3).
func NewServerBackupsDataSource() datasource.DataSource {
	return &serverBackupsDataSource{}
}

type serverBackupsDataSource struct {
	dataSourceBase
}

type serverBackupsDataSourceModel struct {
	ServerID            types.String   `tfsdk:"server_id"`
	EarliestRestoreTime types.String   `tfsdk:"earliest_restore_time"`
	GeoRegion           types.String   `tfsdk:"geo_region"`
	Backups             []backupModel  `tfsdk:"backups"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

type backupModel struct {
	Name          types.String `tfsdk:"name"`
	BackupType    types.String `tfsdk:"backup_type"`
	Source        types.String `tfsdk:"source"`
	StartedTime   types.String `tfsdk:"started_time"`
	CompletedTime types.String `tfsdk:"completed_time"`
	SizeBytes     types.Int64  `tfsdk:"size_bytes"`
	Timeline      types.Int64  `tfsdk:"timeline"`
	GeoCopied     types.Bool   `tfsdk:"geo_copied"`
}

func (d *serverBackupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server_backups"
}

func (d *serverBackupsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the backups of a server: the full backups its retention keeps (the cloud also " +
			"archives its WAL continuously, so any time from `earliest_restore_time` to now can be restored with " +
			"`create_mode = \"PointInTimeRestore\"`). Times are on the cloud's clock, RFC 3339 in UTC.",
		Attributes: map[string]schema.Attribute{
			"server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the server (`flexpg_server.<name>.id`); " +
					validators.ServerID("server_id").MarkdownDescription(ctx) + ".",
				Required:   true,
				Validators: []validator.String{validators.ServerID("server_id")},
			},
			"earliest_restore_time": computed("Earliest time a point-in-time restore of the server may target; null " +
				"until its first full backup completes (right after it is created)."),
			"geo_region": computed("Region that holds the geo-redundant copy of the backups (the pair of the " +
				"server's region); null without `geo_redundant_backup_enabled`."),
			"backups": schema.ListNestedAttribute{
				MarkdownDescription: "The full backups retention keeps, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":           computed("Name of the backup."),
					"backup_type":    computed("Kind of backup: `Full` (a base backup; WAL is archived continuously)."),
					"source":         computed("What took it: `Automatic`, the cloud's schedule (right after creation, then daily)."),
					"started_time":   computed("When the backup started."),
					"completed_time": computed("When the backup completed; a restore starts from the newest backup completed before its target."),
					"size_bytes":     schema.Int64Attribute{MarkdownDescription: "Size of the backup in bytes.", Computed: true},
					"timeline": schema.Int64Attribute{
						MarkdownDescription: "PostgreSQL timeline the server was on when the backup was taken.", Computed: true,
					},
					"geo_copied": schema.BoolAttribute{
						MarkdownDescription: "Whether the backup has been copied to `geo_region` (it is, once it is " +
							spec.GeoCopyDelay.String() + " old on the cloud's clock).",
						Computed: true,
					},
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *serverBackupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config serverBackupsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := serverNameAt("server_id", config.ServerID, &resp.Diagnostics)
	ctx, cancel, c := d.beginRead(ctx, config.Timeouts, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	list, err := c.ListBackups(ctx, name)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("server_id"), "Server Not Found",
			fmt.Sprintf("The flexpg cloud has no server named %q.", name))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Server Backups", fmt.Sprintf("Could not read the backups of server %q", name), err)
		return
	}
	config.EarliestRestoreTime = stringOrNull(list.EarliestRestoreTime)
	config.GeoRegion = stringOrNull(list.GeoRegion)
	config.Backups = flattenBackups(list.Value)
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}

// flattenBackups maps the cloud's backups, keeping its order (oldest first); none is an empty list.
func flattenBackups(in []model.Backup) []backupModel {
	out := make([]backupModel, 0, len(in))
	for _, b := range in {
		out = append(out, backupModel{
			Name:          types.StringValue(b.Name),
			BackupType:    types.StringValue(b.BackupType),
			Source:        types.StringValue(b.Source),
			StartedTime:   types.StringValue(b.StartedTime.UTC().Format(time.RFC3339Nano)),
			CompletedTime: types.StringValue(b.CompletedTime.UTC().Format(time.RFC3339Nano)),
			SizeBytes:     types.Int64Value(b.SizeBytes),
			Timeline:      types.Int64Value(int64(b.Timeline)),
			GeoCopied:     types.BoolValue(b.GeoCopied),
		})
	}
	return out
}
