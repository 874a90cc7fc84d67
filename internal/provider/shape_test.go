package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

func TestNullUnknowns(t *testing.T) {
	block := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"zone": tftypes.String}}
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"name":  tftypes.String,
		"port":  tftypes.Number,
		"ha":    tftypes.List{ElementType: block},
		"mw":    tftypes.List{ElementType: block},
		"space": tftypes.Set{ElementType: tftypes.String},
	}}
	in := tftypes.NewValue(typ, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "db1"),
		"port": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue),
		"ha": tftypes.NewValue(typ.AttributeTypes["ha"], []tftypes.Value{
			tftypes.NewValue(block, map[string]tftypes.Value{"zone": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}),
		}),
		"mw":    tftypes.NewValue(typ.AttributeTypes["mw"], tftypes.UnknownValue),
		"space": tftypes.NewValue(typ.AttributeTypes["space"], tftypes.UnknownValue),
	})
	want := tftypes.NewValue(typ, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "db1"),
		"port": tftypes.NewValue(tftypes.Number, nil),
		"ha": tftypes.NewValue(typ.AttributeTypes["ha"], []tftypes.Value{
			tftypes.NewValue(block, map[string]tftypes.Value{"zone": tftypes.NewValue(tftypes.String, nil)}),
		}),
		"mw":    tftypes.NewValue(typ.AttributeTypes["mw"], []tftypes.Value{}),
		"space": tftypes.NewValue(typ.AttributeTypes["space"], []tftypes.Value{}),
	})
	got, err := nullUnknowns(in)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("nullUnknowns:\n got %s\nwant %s", got, want)
	}
}

func TestObjectNames(t *testing.T) {
	o := subnetObject("vnet1", "db")
	if o.What != `subnet "db" of virtual network "vnet1"` || o.ID != "/virtualNetworks/vnet1/subnets/db" {
		t.Errorf("subnet object: %+v", o)
	}
	if o.Parent.Attribute != "virtual_network_id" || o.Parent.ID != "/virtualNetworks/vnet1" || o.Parent.Name != "vnet1" {
		t.Errorf("subnet parent: %+v", o.Parent)
	}
	if z := privateDNSZoneObject("Corp.postgres.flexpg.internal"); z.Name != "Corp.postgres.flexpg.internal" ||
		z.ID != "/privateDnsZones/corp.postgres.flexpg.internal" {
		t.Errorf("a zone keeps its spelling for the calls and has a lowercase ID: %+v", z)
	}
	if _, err := (firewallRuleAPI{}).importObject("/flexibleServers/db1/databases/x"); err == nil {
		t.Error("a database ID imported as a firewall rule was accepted")
	}
}

func TestInUseOnConflict(t *testing.T) {
	o := subnetObject("vnet1", "db")
	for _, tt := range []struct {
		name    string
		err     error
		handled bool
	}{
		{"conflict", &client.APIError{StatusCode: http.StatusConflict, Code: model.CodeConflict, Message: "subnet db is used by server s1"}, true},
		{"wrapped conflict", fmt.Errorf("deleting: %w", &client.APIError{StatusCode: http.StatusConflict, Code: model.CodeConflict}), true},
		{"busy", &client.APIError{StatusCode: http.StatusConflict, Code: model.CodeServerBusy}, false},
		{"not a conflict", &client.APIError{StatusCode: http.StatusBadRequest, Code: model.CodeInvalidParameter}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			handled := inUseOnConflict{}.explainDeleteConflict(o, tt.err, &diags)
			if handled != tt.handled || diags.HasError() != tt.handled {
				t.Fatalf("handled = %v, diagnostics %v", handled, diags)
			}
			if handled && (diags[0].Summary() != "Subnet In Use" || !strings.Contains(diags[0].Detail(), o.What)) {
				t.Errorf("diagnostic: %s: %s", diags[0].Summary(), diags[0].Detail())
			}
		})
	}
}

// A create-only resource (every argument replaces it) updates only its timeouts: the shape calls nothing, so
// a nil client is never touched.
func TestCreateOnlyUpdateCallsNothing(t *testing.T) {
	r, ok := NewDatabaseResource().(*databaseResource)
	if !ok {
		t.Fatal("NewDatabaseResource is not a *databaseResource")
	}
	var plan, prior, config databaseResourceModel
	var diags diag.Diagnostics
	r.update(context.Background(), target{o: databaseObject("db1", "app")}, &plan, &prior, &config, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
}

// An object that exists is to be imported; a name another object holds is reported on the field.
func TestCreateRefused(t *testing.T) {
	o := virtualEndpointObject("p1", "app")
	var diags diag.Diagnostics
	createRefused(o, &client.APIError{StatusCode: http.StatusConflict, Code: model.CodeAlreadyExists, Message: "exists"}, &diags)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "terraform import <resource address> "+o.ID) {
		t.Errorf("an existing object: %v", diags)
	}
	diags = nil
	createRefused(o, &client.APIError{StatusCode: http.StatusConflict, Code: model.CodeAlreadyExists, Field: "name",
		Message: "virtual endpoint app exists on server p2; its names are unique in the cloud: choose another name"}, &diags)
	if len(diags) != 1 || strings.Contains(diags[0].Detail(), "terraform import") || !strings.Contains(diags[0].Detail(), "exists on server p2") {
		t.Errorf("a name held elsewhere: %v", diags)
	}
	if d, ok := diags[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(path.Root("name")) {
		t.Errorf("a name held elsewhere is not reported on name: %v", diags)
	}
}
