package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The conversions between flexpg_read_replica / flexpg_virtual_endpoint and the API's documents, and the
// hooks that only replicas have.

// plannedReplica is the plan of a new replica that leaves region, size, auto-grow and network to its source.
func plannedReplica() readReplicaResourceModel {
	return readReplicaResourceModel{
		Name:              types.StringValue("r1"),
		SourceServerID:    types.StringValue("/flexibleServers/p1"),
		Location:          types.StringUnknown(),
		Zone:              types.StringUnknown(),
		SKUName:           types.StringUnknown(),
		StorageMB:         types.Int64Unknown(),
		AutoGrowEnabled:   types.BoolUnknown(),
		DelegatedSubnetID: types.StringUnknown(),
		PrivateDNSZoneID:  types.StringUnknown(),
		ReplicationRole:   types.StringValue(spec.ReplicationRoleAsyncReplica),
		PromoteOption:     types.StringValue(spec.PromoteOptionPlanned),
		Tags:              types.MapNull(types.StringType),
	}
}

func TestExpandReplica(t *testing.T) {
	var diags diag.Diagnostics
	got := expandReplica(context.Background(), plannedReplica(), &diags)
	want := model.Server{Name: "r1", CreateMode: spec.CreateModeReplica, SourceServerID: "/flexibleServers/p1",
		ReplicationRole: spec.ReplicationRoleAsyncReplica, PromoteOption: spec.PromoteOptionPlanned}
	if diags.HasError() || !reflect.DeepEqual(got, want) {
		t.Errorf("a replica left to its source: body %+v (%v), want %+v", got, diags, want)
	}

	m := plannedReplica()
	m.Location, m.Zone, m.SKUName, m.StorageMB = types.StringValue("northeurope"), types.StringValue("2"),
		types.StringValue("GP_Standard_D4s_v3"), types.Int64Value(65536)
	m.AutoGrowEnabled, m.ReplicationRole, m.PromoteOption = types.BoolValue(true), types.StringValue("Primary"), types.StringValue("forced")
	m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"env": types.StringValue("dr")})
	got = expandReplica(context.Background(), m, &diags)
	want = model.Server{Name: "r1", CreateMode: spec.CreateModeReplica, SourceServerID: "/flexibleServers/p1",
		Location: "northeurope", Zone: "2", SKUName: "GP_Standard_D4s_v3", StorageMB: 65536, AutoGrowEnabled: true,
		ReplicationRole: "Primary", PromoteOption: "forced", Tags: map[string]string{"env": "dr"}}
	if diags.HasError() || !reflect.DeepEqual(got, want) {
		t.Errorf("a promotion: body %+v (%v), want %+v", got, diags, want)
	}
}

// replicaFromCloud is a replica as the API reports it.
func replicaFromCloud() model.Server {
	return model.Server{Name: "r1", Location: "westeurope", Zone: "1", Version: "17", SKUName: "GP_Standard_D2s_v3",
		StorageMB: 32768, CreateMode: spec.CreateModeReplica, SourceServerID: "/flexibleServers/p1",
		ReplicationRole: spec.ReplicationRoleAsyncReplica, PromoteOption: spec.PromoteOptionPlanned,
		FQDN: "r1.postgres.flexpg.internal", Host: "127.0.0.1", Port: 50007,
		ReplicationState: spec.ReplicationStateActive, ReplicaOf: "/flexibleServers/p1"}
}

func TestFlattenReplica(t *testing.T) {
	var m readReplicaResourceModel
	var diags diag.Diagnostics
	s := replicaFromCloud()
	replicaAPI{}.flatten(context.Background(), replicaObject("r1"), &s, &m, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := readReplicaResourceModel{
		ID: types.StringValue("/flexibleServers/r1"), Name: types.StringValue("r1"),
		SourceServerID: types.StringValue("/flexibleServers/p1"), Location: types.StringValue("westeurope"),
		Zone: types.StringValue("1"), SKUName: types.StringValue("GP_Standard_D2s_v3"), StorageMB: types.Int64Value(32768),
		AutoGrowEnabled: types.BoolValue(false), DelegatedSubnetID: types.StringNull(), PrivateDNSZoneID: types.StringNull(),
		ReplicationRole: types.StringValue("AsyncReplica"), PromoteOption: types.StringValue("planned"),
		Tags: types.MapNull(types.StringType), FQDN: types.StringValue("r1.postgres.flexpg.internal"),
		Host: types.StringValue("127.0.0.1"), Port: types.Int64Value(50007), Version: types.StringValue("17"),
		ReplicationState: types.StringValue("Active"),
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("flatten:\n got %+v\nwant %+v", m, want)
	}

	// Promoted to an independent server: it replicates from nothing, keeps the state its promotion ended in,
	// and source_server_id still reads as set.
	s.ReplicaOf, s.ReplicationRole = "", spec.ReplicationRoleNone
	replicaAPI{}.flatten(context.Background(), replicaObject("r1"), &s, &m, &diags)
	if diags.HasError() || m.ReplicationRole.ValueString() != "None" || m.ReplicationState.ValueString() != "Active" ||
		m.SourceServerID.ValueString() != "/flexibleServers/p1" {
		t.Errorf("after a promotion to None: %+v (%v)", m, diags)
	}
}

// A server that was never a replica (what importing a flexpg_server's ID would find) is refused.
func TestFlattenRefusesAServer(t *testing.T) {
	s := model.Server{Name: "p1", Location: "westeurope", SKUName: "GP_Standard_D2s_v3", CreateMode: "Default"}
	var m readReplicaResourceModel
	var diags diag.Diagnostics
	replicaAPI{}.flatten(context.Background(), replicaObject("p1"), &s, &m, &diags)
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "Manage it as a flexpg_server") ||
		!strings.Contains(diags[0].Detail(), "terraform import flexpg_server.<name> /flexibleServers/p1") {
		t.Fatalf("diagnostics %v", diags)
	}
	if !m.Name.IsNull() {
		t.Errorf("the refused server was recorded: %+v", m)
	}
}

// sourceCloud answers GET /v1/flexibleServers/p1 with a source server and records the paths it was asked.
func sourceCloud(t *testing.T, autoGrow bool) (*client.Client, *[]string) {
	t.Helper()
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/v1/flexibleServers/p1" {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(model.ErrorResponse{Error: model.Error{Code: model.CodeNotFound, Message: "no such server"}})
			return
		}
		_ = json.NewEncoder(w).Encode(model.Server{Name: "p1", SKUName: "GP_Standard_D2s_v3", AutoGrowEnabled: autoGrow})
	}))
	t.Cleanup(srv.Close)
	return client.New(srv.URL, "t"), &asked
}

func TestCompleteCreateTakesTheSourcesAutoGrow(t *testing.T) {
	ctx := context.Background()
	c, asked := sourceCloud(t, true)
	plan := plannedReplica()
	var diags diag.Diagnostics
	body := expandReplica(ctx, plan, &diags)
	replicaAPI{}.completeCreate(ctx, c, &plan, &body, &diags)
	if diags.HasError() || !body.AutoGrowEnabled || !reflect.DeepEqual(*asked, []string{"GET /v1/flexibleServers/p1"}) {
		t.Errorf("unset auto-grow: body %v, asked %v, %v", body.AutoGrowEnabled, *asked, diags)
	}

	// A configured value is sent as it is, without asking the cloud.
	*asked = nil
	plan.AutoGrowEnabled = types.BoolValue(false)
	body = expandReplica(ctx, plan, &diags)
	replicaAPI{}.completeCreate(ctx, c, &plan, &body, &diags)
	if diags.HasError() || body.AutoGrowEnabled || len(*asked) != 0 {
		t.Errorf("configured auto-grow: body %v, asked %v, %v", body.AutoGrowEnabled, *asked, diags)
	}

	// A source that does not exist is reported on source_server_id.
	plan = plannedReplica()
	plan.SourceServerID = types.StringValue("/flexibleServers/gone")
	body = expandReplica(ctx, plan, &diags)
	replicaAPI{}.completeCreate(ctx, c, &plan, &body, &diags)
	if len(diags) != 1 || !diags[0].(diag.DiagnosticWithPath).Path().Equal(path.Root("source_server_id")) ||
		!strings.Contains(diags[0].Detail(), `source server "gone" does not exist`) {
		t.Errorf("missing source: %v", diags)
	}
}

// A replica promoted to primary server has its former primary as a replica: its delete is refused, and the
// diagnostic says to destroy the former primary first. Any other conflict is left to the shape.
func TestReplicaDeleteConflict(t *testing.T) {
	for _, tt := range []struct {
		name      string
		replicas  []string
		explained bool
	}{
		{"promoted to primary server", []string{"/flexibleServers/p1"}, true},
		{"used by a virtual endpoint", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.Method == http.MethodDelete {
					w.WriteHeader(http.StatusConflict)
					_ = json.NewEncoder(w).Encode(model.ErrorResponse{Error: model.Error{Code: model.CodeConflict, Message: "refused"}})
					return
				}
				_ = json.NewEncoder(w).Encode(model.Server{Name: "r1", SourceServerID: "/flexibleServers/p1", Replicas: tt.replicas})
			}))
			defer srv.Close()
			o := replicaObject("r1")
			_, err := replicaAPI{}.remove(context.Background(), client.New(srv.URL, "t"), o)
			if !errors.Is(err, client.ErrConflict) {
				t.Fatalf("remove: %v, want the conflict", err)
			}
			var diags diag.Diagnostics
			explained := replicaAPI{}.explainDeleteConflict(o, err, &diags)
			if explained != tt.explained {
				t.Fatalf("explained %v, want %v (%v)", explained, tt.explained, diags)
			}
			if explained && (!strings.Contains(diags[0].Detail(), "destroy the former primary first") ||
				!strings.Contains(diags[0].Detail(), `set this replica's source_server_id to "/flexibleServers/p1"`)) {
				t.Errorf("diagnostic: %s", diags[0].Detail())
			}
		})
	}
}

// After a promotion the endpoint's names reach other servers, but its arguments read back as set, so the
// configuration plans empty.
func TestVirtualEndpointConversions(t *testing.T) {
	o := virtualEndpointObject("p1", "app")
	if o.ID != "/flexibleServers/p1/virtualEndpoints/app" || o.Parent.Attribute != "source_server_id" || o.Parent.ID != "/flexibleServers/p1" {
		t.Fatalf("object %+v", o)
	}
	promoted := model.VirtualEndpoint{Name: "app", SourceServerID: "/flexibleServers/p1", ReplicaServerID: "/flexibleServers/r1",
		Type: "ReadWrite", WriterServerID: "/flexibleServers/r1", ReaderServerID: "/flexibleServers/p1",
		WriterFQDN: "app.writer.postgres.flexpg.internal", ReaderFQDN: "app.reader.postgres.flexpg.internal",
		WriterHost: "127.0.0.1", WriterPort: 50010}
	var m virtualEndpointResourceModel
	var diags diag.Diagnostics
	virtualEndpointAPI{}.flatten(context.Background(), o, &promoted, &m, &diags)
	want := virtualEndpointResourceModel{ID: types.StringValue(o.ID), Name: types.StringValue("app"),
		SourceServerID: types.StringValue("/flexibleServers/p1"), ReplicaServerID: types.StringValue("/flexibleServers/r1"),
		Type: types.StringValue("ReadWrite"), WriterFQDN: types.StringValue("app.writer.postgres.flexpg.internal"),
		ReaderFQDN: types.StringValue("app.reader.postgres.flexpg.internal"), WriterHost: types.StringValue("127.0.0.1"),
		WriterPort: types.Int64Value(50010), ReaderHost: types.StringNull(), ReaderPort: types.Int64Null()}
	if diags.HasError() || !reflect.DeepEqual(m, want) {
		t.Errorf("flatten:\n got %+v\nwant %+v", m, want)
	}
	body := virtualEndpointAPI{}.expand(context.Background(), &m, &m, &diags)
	if !reflect.DeepEqual(body, model.VirtualEndpoint{Name: "app", ReplicaServerID: "/flexibleServers/r1", Type: "ReadWrite"}) {
		t.Errorf("expand: %+v", body)
	}
	if _, err := (virtualEndpointAPI{}).importObject("/flexibleServers/p1/firewallRules/app"); err == nil {
		t.Error("a firewall rule ID imported as a virtual endpoint was accepted")
	}
}
