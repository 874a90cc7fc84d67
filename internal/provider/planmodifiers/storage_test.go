package planmodifiers

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestKeepAutoGrownStorage: a configured size below the one the cloud grew to is kept while auto-grow is on,
// whether auto-grow is configured (a server's) or left to the cloud and kept from state (a replica's, which
// the plan still shows unknown when the modifier runs).
func TestKeepAutoGrownStorage(t *testing.T) {
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"auto_grow_enabled": schema.BoolAttribute{Optional: true, Computed: true},
		"storage_mb":        schema.Int64Attribute{Optional: true, Computed: true},
	}}
	typ := s.Type().TerraformType(context.Background())
	obj := func(autoGrow, storage any) tftypes.Value {
		return tftypes.NewValue(typ, map[string]tftypes.Value{
			"auto_grow_enabled": tftypes.NewValue(tftypes.Bool, autoGrow),
			"storage_mb":        tftypes.NewValue(tftypes.Number, storage),
		})
	}
	tests := []struct {
		name                string
		config, plan, state tftypes.Value
		wantMB              int64
	}{
		{"configured on", obj(true, 65536), obj(true, 65536), obj(true, 131072), 131072},
		{"configured off", obj(false, 65536), obj(false, 65536), obj(true, 131072), 65536},
		{"left to the cloud, on in state", obj(nil, 65536), obj(tftypes.UnknownValue, 65536), obj(true, 131072), 131072},
		{"left to the cloud, off in state", obj(nil, 65536), obj(tftypes.UnknownValue, 65536), obj(false, 131072), 65536},
		{"growing", obj(true, 262144), obj(true, 262144), obj(true, 131072), 262144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := planmodifier.Int64Request{
				Path:        path.Root("storage_mb"),
				Config:      tfsdk.Config{Schema: s, Raw: tt.config},
				Plan:        tfsdk.Plan{Schema: s, Raw: tt.plan},
				State:       tfsdk.State{Schema: s, Raw: tt.state},
				ConfigValue: int64Of(t, tt.config),
				PlanValue:   int64Of(t, tt.plan),
				StateValue:  int64Of(t, tt.state),
			}
			resp := &planmodifier.Int64Response{PlanValue: req.PlanValue}
			KeepAutoGrownStorage(path.Root("auto_grow_enabled")).PlanModifyInt64(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if got := resp.PlanValue.ValueInt64(); got != tt.wantMB {
				t.Errorf("planned %d, want %d", got, tt.wantMB)
			}
		})
	}
}

// int64Of is the storage_mb of an object value.
func int64Of(t *testing.T, v tftypes.Value) types.Int64 {
	t.Helper()
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var n big.Float
	if err := attrs["storage_mb"].As(&n); err != nil {
		t.Fatal(err)
	}
	i, _ := n.Int64()
	return types.Int64Value(i)
}
