package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &virtualEndpointResource{}
	_ resource.ResourceWithValidateConfig = &virtualEndpointResource{}
)

// NewVirtualEndpointResource is the flexpg_virtual_endpoint resource.
func NewVirtualEndpointResource() resource.Resource {
	r := &virtualEndpointResource{}
	calls := children((*client.Client).GetVirtualEndpoint, (*client.Client).PutVirtualEndpoint, (*client.Client).DeleteVirtualEndpoint)
	r.plug("_virtual_endpoint", virtualEndpointSchema, virtualEndpointAPI{childCalls: calls})
	return r
}

type virtualEndpointResource struct {
	resourceShape[virtualEndpointResourceModel, model.VirtualEndpoint]
}

type virtualEndpointResourceModel struct {
	ID              types.String   `tfsdk:"id"`
	Name            types.String   `tfsdk:"name"`
	ReaderFQDN      types.String   `tfsdk:"reader_fqdn"`
	ReaderHost      types.String   `tfsdk:"reader_host"`
	ReaderPort      types.Int64    `tfsdk:"reader_port"`
	ReplicaServerID types.String   `tfsdk:"replica_server_id"`
	SourceServerID  types.String   `tfsdk:"source_server_id"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
	Type            types.String   `tfsdk:"type"`
	WriterFQDN      types.String   `tfsdk:"writer_fqdn"`
	WriterHost      types.String   `tfsdk:"writer_host"`
	WriterPort      types.Int64    `tfsdk:"writer_port"`
}

// virtualEndpointSchema is the flexpg_virtual_endpoint schema. The names and host endpoints are the cloud's
// and stay the same for the endpoint's life, whatever server they reach (UseStateForUnknown).
func virtualEndpointSchema(ctx context.Context) schema.Schema {
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a virtual endpoint of a primary server and its read replicas: two host names " +
			"that stay the same whatever the servers' roles. The writer (`" + spec.WriterFQDN("<name>") + "`) always " +
			"reaches the current primary; the reader (`" + spec.ReaderFQDN("<name>") + "`) reaches the one server " +
			"`replica_server_id` names. " + fmt.Sprintf("A primary has at most %d endpoint. ", spec.MaxVirtualEndpoints) + "A promotion " +
			"of a replica to primary server (`replication_role = \"" + spec.ReplicationRolePrimary + "\"`) needs an " +
			"endpoint whose reader is that replica, unless forced; afterwards the writer reaches the promoted server " +
			"and a reader that reached it reaches the former primary. A promotion to an independent server moves a " +
			"reader on the promoted replica to the primary. The endpoint keeps its ID and its arguments read back as " +
			"set, so the configuration still plans empty after a promotion.",
		Attributes: map[string]schema.Attribute{
			"id": computedKept("ID of the endpoint, `/" + spec.CollectionServers + "/<source>/" + spec.CollectionVirtualEndpoints +
				"/<name>`; it stays the same after a promotion."),
			"name":        serverNameAttribute(ctx, "Name of the endpoint, the first label of its writer and reader names."),
			"reader_fqdn": computedKept("Reader name, `" + spec.ReaderFQDN("<name>") + "`: reaches the server `replica_server_id` names (after a promotion, as described above)."),
			"reader_host": computedKept("Host address on this machine that reaches the reader's server (`127.0.0.1`); null when it is private."),
			"reader_port": computedKeptPort("Port on `reader_host`; it stays the same when the reader moves. Null when the reader's server is private."),
			"replica_server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the server the reader reaches: a read replica of the source " +
					"(`flexpg_read_replica.<name>.id`) or the source itself. Changing it moves the reader in place. " +
					"Value " + validators.ServerID("replica_server_id").MarkdownDescription(ctx) + ".",
				Required:   true,
				Validators: []validator.String{validators.ServerID("replica_server_id")},
			},
			"source_server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the primary server the endpoint is created on (`flexpg_server.<name>.id`); " +
					"the endpoint stays under it, also after a promotion. Value " +
					validators.ServerID("source_server_id").MarkdownDescription(ctx) + ".",
				Required:   true,
				Validators: []validator.String{validators.ServerID("source_server_id")},
			},
			"type": optionalWithDefault("Type of the endpoint; one of "+spec.MarkdownList(spec.VirtualEndpointTypes())+
				" (a writer and a reader).", spec.VirtualEndpointTypeReadWrite),
			"writer_fqdn": computedKept("Writer name, `" + spec.WriterFQDN("<name>") + "`: always reaches the current primary."),
			"writer_host": computedKept("Host address on this machine that reaches the current primary (`127.0.0.1`); null when it is private."),
			"writer_port": computedKeptPort("Port on `writer_host`; it stays the same across promotions. Null when the primary is private."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.VirtualEndpointFields())
}

// ValidateConfig runs the rules the cloud runs on an endpoint's configuration alone
// (spec.ValidateVirtualEndpoint); that the servers exist and are a primary and one of its replicas (or the
// primary) is checked at apply time.
func (r *virtualEndpointResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config virtualEndpointResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var unknown unknownFields
	c := spec.VirtualEndpointConfig{
		Name:            unknown.str("name", config.Name),
		SourceServerID:  unknown.str("source_server_id", config.SourceServerID),
		ReplicaServerID: unknown.str("replica_server_id", config.ReplicaServerID),
		Type:            unknown.str("type", config.Type),
	}
	unknown.required(map[string]types.String{"name": config.Name, "source_server_id": config.SourceServerID,
		"replica_server_id": config.ReplicaServerID})
	addFieldErrors(&resp.Diagnostics, spec.ValidateVirtualEndpoint(c).Without(unknown...))
}

// virtualEndpointAPI plugs the virtual endpoints of the cloud into resourceShape. An endpoint is a child of
// the server it was created on, named by its source_server_id.
type virtualEndpointAPI struct {
	childCalls[model.VirtualEndpoint]
}

func virtualEndpointObject(server, name string) object {
	return childObject("Virtual Endpoint", "virtual endpoint", spec.VirtualEndpointID(server, name), name,
		serverParentAt("source_server_id", server))
}

func (virtualEndpointAPI) object(m *virtualEndpointResourceModel, diags *diag.Diagnostics) object {
	return virtualEndpointObject(serverNameAt("source_server_id", m.SourceServerID, diags), m.Name.ValueString())
}

func (virtualEndpointAPI) importObject(id string) (object, error) {
	server, name, err := spec.ParseChildID(id, spec.CollectionVirtualEndpoints)
	return virtualEndpointObject(server, name), err
}

func (virtualEndpointAPI) timeouts(m *virtualEndpointResourceModel) timeouts.Value { return m.Timeouts }

func (virtualEndpointAPI) expand(_ context.Context, m, _ *virtualEndpointResourceModel, _ *diag.Diagnostics) model.VirtualEndpoint {
	return model.VirtualEndpoint{
		Name:            m.Name.ValueString(),
		ReplicaServerID: m.ReplicaServerID.ValueString(),
		Type:            m.Type.ValueString(),
	}
}

// flatten copies what the cloud reports into m. source_server_id is the server the endpoint lives under and
// replica_server_id the reader's target as set, never the servers the names reach now (writer_server_id,
// reader_server_id), which a promotion moves: the configuration must still plan empty afterwards.
func (virtualEndpointAPI) flatten(_ context.Context, o object, e *model.VirtualEndpoint, m *virtualEndpointResourceModel, _ *diag.Diagnostics) {
	m.ID = types.StringValue(spec.VirtualEndpointID(o.Parent.Name, e.Name))
	m.Name = types.StringValue(e.Name)
	m.SourceServerID = types.StringValue(o.Parent.ID)
	m.ReplicaServerID = types.StringValue(e.ReplicaServerID)
	m.Type = types.StringValue(valueOr(e.Type, spec.VirtualEndpointTypeReadWrite))
	m.WriterFQDN = stringOrNull(e.WriterFQDN)
	m.ReaderFQDN = stringOrNull(e.ReaderFQDN)
	m.WriterHost = stringOrNull(e.WriterHost)
	m.WriterPort = int64OrNull(int64(e.WriterPort))
	m.ReaderHost = stringOrNull(e.ReaderHost)
	m.ReaderPort = int64OrNull(int64(e.ReaderPort))
}
