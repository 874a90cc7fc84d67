package provider_test

import (
	"context"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// TestSchemaSpecParity holds the provider to the spec's field tables, the list the cloud's API enforces:
// every field is an attribute of the schema, an attribute plans a replacement exactly when the table calls
// the field immutable, and the schema has no input the table does not know. A rule changed on one side
// only fails here.
func TestSchemaSpecParity(t *testing.T) {
	tests := []struct {
		typeName string
		resource resource.Resource
		fields   []spec.Field
	}{
		{"flexpg_server", provider.NewServerResource(), spec.ServerFields()},
		{"flexpg_firewall_rule", provider.NewFirewallRuleResource(), spec.FirewallRuleFields()},
		{"flexpg_server_configuration", provider.NewServerConfigurationResource(), spec.ConfigurationFields()},
		{"flexpg_database", provider.NewDatabaseResource(), spec.DatabaseFields()},
		{"flexpg_virtual_network", provider.NewVirtualNetworkResource(), spec.VirtualNetworkFields()},
		{"flexpg_subnet", provider.NewSubnetResource(), spec.SubnetFields()},
		{"flexpg_private_dns_zone", provider.NewPrivateDNSZoneResource(), spec.PrivateDNSZoneFields()},
		{"flexpg_private_dns_zone_virtual_network_link", provider.NewPrivateDNSZoneLinkResource(), spec.PrivateDNSZoneLinkFields()},
	}
	for _, tt := range tests {
		t.Run(tt.typeName, func(t *testing.T) {
			s := resourceSchema(t, tt.resource)
			known := map[string]bool{}
			for _, f := range tt.fields {
				known[f.Attribute] = true
				a, ok := s.Attributes[f.Attribute]
				if !ok {
					t.Errorf("spec field %s has no schema attribute", f.Attribute)
					continue
				}
				if !a.IsOptional() && !a.IsRequired() {
					t.Errorf("spec field %s is computed-only in the schema; it must be an input", f.Attribute)
				}
				if got := requiresReplace(a); got != f.Immutable {
					t.Errorf("attribute %s: RequiresReplace = %v, spec Immutable = %v", f.Attribute, got, f.Immutable)
				}
			}
			for _, name := range sortedKeys(s.Attributes) {
				a := s.Attributes[name]
				if (a.IsOptional() || a.IsRequired()) && !known[name] {
					t.Errorf("input attribute %s is not in the spec field table", name)
				}
			}
		})
	}
}

// TestSchemasAreValid runs the framework's own implementation checks (e.g. write-only attributes carry no
// plan modifiers, defaults only on computed attributes) on every resource schema.
func TestSchemasAreValid(t *testing.T) {
	for _, r := range []resource.Resource{provider.NewServerResource(), provider.NewFirewallRuleResource(),
		provider.NewServerConfigurationResource(), provider.NewDatabaseResource(), provider.NewVirtualNetworkResource(),
		provider.NewSubnetResource(), provider.NewPrivateDNSZoneResource(), provider.NewPrivateDNSZoneLinkResource()} {
		s := resourceSchema(t, r)
		if diags := s.ValidateImplementation(context.Background()); diags.HasError() {
			t.Errorf("%T: %v", r, diags)
		}
	}
}

// TestServerSecrets checks how the passwords are stored: sensitive in state, write-only never.
func TestServerSecrets(t *testing.T) {
	s := resourceSchema(t, provider.NewServerResource())
	if !s.Attributes["administrator_password"].IsSensitive() {
		t.Error("administrator_password must be sensitive")
	}
	wo := s.Attributes["administrator_password_wo"]
	if !wo.IsWriteOnly() || !wo.IsSensitive() {
		t.Errorf("administrator_password_wo: write-only %v, sensitive %v; want both", wo.IsWriteOnly(), wo.IsSensitive())
	}
}

func resourceSchema(t *testing.T, r resource.Resource) schema.Schema {
	t.Helper()
	resp := &resource.SchemaResponse{}
	r.Schema(context.Background(), resource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("%T schema: %v", r, resp.Diagnostics)
	}
	return resp.Schema
}

// replaceDescription identifies the framework's RequiresReplace modifier (the same text for every type).
// Conditional modifiers, such as the version-downgrade one, have their own text and do not count: the
// field is mutable in place.
var replaceDescription = stringplanmodifier.RequiresReplace().Description(context.Background())

type describer interface {
	Description(context.Context) string
}

func requiresReplace(a schema.Attribute) bool {
	var modifiers []describer
	switch a := a.(type) {
	case schema.StringAttribute:
		modifiers = asDescribers(a.PlanModifiers)
	case schema.Int64Attribute:
		modifiers = asDescribers(a.PlanModifiers)
	case schema.BoolAttribute:
		modifiers = asDescribers(a.PlanModifiers)
	case schema.MapAttribute:
		modifiers = asDescribers(a.PlanModifiers)
	case schema.ListAttribute:
		modifiers = asDescribers(a.PlanModifiers)
	case schema.SingleNestedAttribute:
		modifiers = asDescribers(a.PlanModifiers)
	}
	for _, m := range modifiers {
		if m.Description(context.Background()) == replaceDescription {
			return true
		}
	}
	return false
}

func asDescribers[M describer](in []M) []describer {
	out := make([]describer, len(in))
	for i, m := range in {
		out[i] = m
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
