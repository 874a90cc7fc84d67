package planmodifiers

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestNetworkFromRestoreSource: an unset subnet is the cloud's to decide only for a point-in-time restore
// (unknown at its create, the current one afterwards); any other server plans none, so removing the subnet
// of a private server still plans public access. A configured subnet is left alone.
func TestNetworkFromRestoreSource(t *testing.T) {
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"create_mode":         schema.StringAttribute{Optional: true},
		"delegated_subnet_id": schema.StringAttribute{Optional: true, Computed: true},
	}}
	typ := s.Type().TerraformType(context.Background())
	const subnet = "/virtualNetworks/v1/subnets/db"
	obj := func(mode, subnetID any) tftypes.Value {
		return tftypes.NewValue(typ, map[string]tftypes.Value{
			"create_mode":         tftypes.NewValue(tftypes.String, mode),
			"delegated_subnet_id": tftypes.NewValue(tftypes.String, subnetID),
		})
	}
	null := tftypes.NewValue(typ, nil)
	tests := []struct {
		name                string
		config, plan, state tftypes.Value
		want                types.String
	}{
		{"configured", obj(nil, subnet), obj(nil, subnet), null, types.StringValue(subnet)},
		{"Default create", obj(nil, nil), obj(nil, tftypes.UnknownValue), null, types.StringNull()},
		{"geo-restore create", obj("GeoRestore", nil), obj("GeoRestore", tftypes.UnknownValue), null, types.StringNull()},
		{"point-in-time restore create", obj("PointInTimeRestore", nil), obj("PointInTimeRestore", tftypes.UnknownValue), null,
			types.StringUnknown()},
		{"unknown create mode", obj(tftypes.UnknownValue, nil), obj(tftypes.UnknownValue, tftypes.UnknownValue), null,
			types.StringUnknown()},
		{"restored server, later", obj("PointInTimeRestore", nil), obj("PointInTimeRestore", tftypes.UnknownValue),
			obj("PointInTimeRestore", subnet), types.StringValue(subnet)},
		{"private server, subnet removed", obj(nil, nil), obj(nil, tftypes.UnknownValue), obj(nil, subnet), types.StringNull()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := planmodifier.StringRequest{
				Path:        path.Root("delegated_subnet_id"),
				Config:      tfsdk.Config{Schema: s, Raw: tt.config},
				Plan:        tfsdk.Plan{Schema: s, Raw: tt.plan},
				State:       tfsdk.State{Schema: s, Raw: tt.state},
				ConfigValue: stringOf(t, s, tt.config),
				PlanValue:   stringOf(t, s, tt.plan),
				StateValue:  stringOf(t, s, tt.state),
			}
			resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
			NetworkFromRestoreSource(path.Root("create_mode")).PlanModifyString(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if !resp.PlanValue.Equal(tt.want) {
				t.Errorf("planned %s, want %s", resp.PlanValue, tt.want)
			}
		})
	}
}

// stringOf is the delegated_subnet_id of an object value (null for a null object).
func stringOf(t *testing.T, s schema.Schema, v tftypes.Value) types.String {
	t.Helper()
	if v.IsNull() {
		return types.StringNull()
	}
	var out types.String
	if d := (tfsdk.Config{Schema: s, Raw: v}).GetAttribute(context.Background(), path.Root("delegated_subnet_id"), &out); d.HasError() {
		t.Fatal(d)
	}
	return out
}
