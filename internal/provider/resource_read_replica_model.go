package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// readReplicaResourceModel is the flexpg_read_replica state.
type readReplicaResourceModel struct {
	AutoGrowEnabled   types.Bool     `tfsdk:"auto_grow_enabled"`
	DelegatedSubnetID types.String   `tfsdk:"delegated_subnet_id"`
	FQDN              types.String   `tfsdk:"fqdn"`
	Host              types.String   `tfsdk:"host"`
	ID                types.String   `tfsdk:"id"`
	Location          types.String   `tfsdk:"location"`
	Name              types.String   `tfsdk:"name"`
	Port              types.Int64    `tfsdk:"port"`
	PrivateDNSZoneID  types.String   `tfsdk:"private_dns_zone_id"`
	PromoteOption     types.String   `tfsdk:"promote_option"`
	ReplicationRole   types.String   `tfsdk:"replication_role"`
	ReplicationState  types.String   `tfsdk:"replication_state"`
	SKUName           types.String   `tfsdk:"sku_name"`
	SourceServerID    types.String   `tfsdk:"source_server_id"`
	StorageMB         types.Int64    `tfsdk:"storage_mb"`
	Tags              types.Map      `tfsdk:"tags"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	Version           types.String   `tfsdk:"version"`
	Zone              types.String   `tfsdk:"zone"`
}

// expandReplica builds the PUT body of a replica from a plan: the whole desired replica, for a create and
// for an update alike. What the plan does not know yet at create (an unset region, size or network the
// replica takes from its source) is sent empty, which the API reads as "the source's"; auto-grow, which the
// API needs as a value, is completed from the source at create (replicaAPI.completeCreate).
func expandReplica(ctx context.Context, m readReplicaResourceModel, diags *diag.Diagnostics) model.Server {
	return model.Server{
		Name:              m.Name.ValueString(),
		CreateMode:        spec.CreateModeReplica,
		SourceServerID:    m.SourceServerID.ValueString(),
		Location:          m.Location.ValueString(),
		Zone:              m.Zone.ValueString(),
		SKUName:           m.SKUName.ValueString(),
		StorageMB:         m.StorageMB.ValueInt64(),
		AutoGrowEnabled:   m.AutoGrowEnabled.ValueBool(),
		DelegatedSubnetID: m.DelegatedSubnetID.ValueString(),
		PrivateDNSZoneID:  m.PrivateDNSZoneID.ValueString(),
		ReplicationRole:   m.ReplicationRole.ValueString(),
		PromoteOption:     m.PromoteOption.ValueString(),
		Tags:              expandTags(ctx, m.Tags, diags),
	}
}

// flattenReplica copies what the cloud reports of a replica into m. source_server_id is the ID it was
// created from, also after a promotion; an empty role or promote option is the API's default.
func flattenReplica(ctx context.Context, s *model.Server, m *readReplicaResourceModel, diags *diag.Diagnostics) {
	m.ID = types.StringValue(spec.ServerID(s.Name))
	m.Name = types.StringValue(s.Name)
	m.SourceServerID = stringOrNull(s.SourceServerID)
	m.Location = types.StringValue(s.Location)
	m.Zone = stringOrNull(s.Zone)
	m.SKUName = types.StringValue(s.SKUName)
	m.StorageMB = types.Int64Value(s.StorageMB)
	m.AutoGrowEnabled = types.BoolValue(s.AutoGrowEnabled)
	m.DelegatedSubnetID = stringOrNull(s.DelegatedSubnetID)
	m.PrivateDNSZoneID = stringOrNull(s.PrivateDNSZoneID)
	m.ReplicationRole = types.StringValue(valueOr(s.ReplicationRole, spec.ReplicationRoleAsyncReplica))
	m.PromoteOption = types.StringValue(valueOr(s.PromoteOption, spec.PromoteOptionPlanned))
	m.Tags = flattenTags(ctx, s.Tags, m.Tags, diags)

	m.FQDN = stringOrNull(s.FQDN)
	m.Host = stringOrNull(s.Host)
	m.Port = int64OrNull(int64(s.Port))
	m.Version = stringOrNull(s.Version)
	m.ReplicationState = stringOrNull(s.ReplicationState)
}

// valueOr is v, or def when v is empty.
func valueOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// replicaConfig converts a model (configuration or plan) into the spec's view for validation, and lists the
// fields whose values are unknown, so their errors can be dropped (spec reads a zero value as "not set").
func replicaConfig(m readReplicaResourceModel) (spec.ReplicaConfig, []string) {
	var unknown unknownFields
	c := spec.ReplicaConfig{
		Name:              unknown.str("name", m.Name),
		SourceServerID:    unknown.str("source_server_id", m.SourceServerID),
		Location:          unknown.str("location", m.Location),
		Zone:              unknown.str("zone", m.Zone),
		SKUName:           unknown.str("sku_name", m.SKUName),
		StorageMB:         unknown.num("storage_mb", m.StorageMB),
		DelegatedSubnetID: unknown.str("delegated_subnet_id", m.DelegatedSubnetID),
		PrivateDNSZoneID:  unknown.str("private_dns_zone_id", m.PrivateDNSZoneID),
		ReplicationRole:   unknown.str("replication_role", m.ReplicationRole),
		PromoteOption:     unknown.str("promote_option", m.PromoteOption),
	}
	switch {
	case m.AutoGrowEnabled.IsUnknown():
		unknown = append(unknown, "auto_grow_enabled")
	case !m.AutoGrowEnabled.IsNull():
		v := m.AutoGrowEnabled.ValueBool()
		c.AutoGrow = &v
	}
	unknown.required(map[string]types.String{"name": m.Name, "source_server_id": m.SourceServerID})
	return c, unknown
}
