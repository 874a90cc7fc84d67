package provider_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// resourceTables pairs every resource with its spec field table.
func resourceTables() []struct {
	typeName string
	resource resource.Resource
	table    spec.Table
} {
	return []struct {
		typeName string
		resource resource.Resource
		table    spec.Table
	}{
		{"flexpg_server", provider.NewServerResource(), spec.ServerFields()},
		{"flexpg_firewall_rule", provider.NewFirewallRuleResource(), spec.FirewallRuleFields()},
		{"flexpg_server_configuration", provider.NewServerConfigurationResource(), spec.ConfigurationFields()},
		{"flexpg_database", provider.NewDatabaseResource(), spec.DatabaseFields()},
		{"flexpg_virtual_network", provider.NewVirtualNetworkResource(), spec.VirtualNetworkFields()},
		{"flexpg_subnet", provider.NewSubnetResource(), spec.SubnetFields()},
		{"flexpg_private_dns_zone", provider.NewPrivateDNSZoneResource(), spec.PrivateDNSZoneFields()},
		{"flexpg_private_dns_zone_virtual_network_link", provider.NewPrivateDNSZoneLinkResource(), spec.PrivateDNSZoneLinkFields()},
		{"flexpg_read_replica", provider.NewReadReplicaResource(), spec.ReplicaFields()},
		{"flexpg_virtual_endpoint", provider.NewVirtualEndpointResource(), spec.VirtualEndpointFields()},
	}
}

// TestEveryResourceHasATable: the parity tests below cover every resource the provider registers.
func TestEveryResourceHasATable(t *testing.T) {
	ctx := context.Background()
	tabled := map[string]bool{}
	for _, tt := range resourceTables() {
		tabled[tt.typeName] = true
	}
	for _, newResource := range provider.New("test")().Resources(ctx) {
		resp := &resource.MetadataResponse{}
		newResource().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: provider.TypeName}, resp)
		if !tabled[resp.TypeName] {
			t.Errorf("resource %s has no entry in resourceTables", resp.TypeName)
		}
		delete(tabled, resp.TypeName)
	}
	for name := range tabled {
		t.Errorf("resourceTables lists %s, which the provider does not register", name)
	}
}

// TestSchemaSpecParity holds every resource schema to its spec field table, the list the cloud's API
// enforces too (see the API's own parity test).
func TestSchemaSpecParity(t *testing.T) {
	for _, tt := range resourceTables() {
		t.Run(tt.typeName, func(t *testing.T) {
			for _, d := range schemaDrift(resourceSchema(t, tt.resource), tt.table) {
				t.Error(d)
			}
		})
	}
}

// schemaDrift lists every disagreement between a schema and a field table: each field is an input of the
// schema; an attribute plans a replacement, and its description says so, exactly when the table calls it
// immutable; and the schema has no input the table does not know.
func schemaDrift(s schema.Schema, table spec.Table) []string {
	var drift []string
	known := map[string]bool{}
	for _, f := range table.Fields {
		known[f.Attribute] = true
		a, ok := s.Attributes[f.Attribute]
		if !ok {
			if _, isBlock := s.Blocks[f.Attribute]; !isBlock {
				drift = append(drift, "spec field "+f.Attribute+" has no schema attribute or block")
			} else if f.Immutable {
				drift = append(drift, "spec field "+f.Attribute+" is an immutable block; blocks cannot require replacement")
			}
			continue
		}
		if !a.IsOptional() && !a.IsRequired() {
			drift = append(drift, "spec field "+f.Attribute+" is computed-only in the schema; it must be an input")
		}
		if got := requiresReplace(a); got != f.Immutable {
			drift = append(drift, fmt.Sprintf("attribute %s: RequiresReplace = %v, spec Immutable = %v", f.Attribute, got, f.Immutable))
		}
		says := strings.Contains(a.GetMarkdownDescription(), "Changing it replaces the "+table.Noun)
		if says != f.Immutable {
			drift = append(drift, fmt.Sprintf("attribute %s: description says it replaces the %s: %v, spec Immutable = %v",
				f.Attribute, table.Noun, says, f.Immutable))
		}
	}
	for _, name := range sortedKeys(s.Attributes) {
		a := s.Attributes[name]
		if (a.IsOptional() || a.IsRequired()) && !known[name] {
			drift = append(drift, "input attribute "+name+" is not in the spec field table")
		}
	}
	for _, name := range sortedKeys(s.Blocks) {
		if !known[name] && name != "timeouts" {
			drift = append(drift, "block "+name+" is not in the spec field table")
		}
	}
	return drift
}

// The mutation tests drift one side at a time and require the checker to notice: a rule changed in only
// the table, or only the schema, fails the parity test (the API's own test covers its side).

func TestSchemaDriftNoticesATableChange(t *testing.T) {
	table := spec.ServerFields()
	table.Fields = append([]spec.Field(nil), table.Fields...)
	for i := range table.Fields {
		if table.Fields[i].Attribute == "zone" {
			table.Fields[i].Immutable = true // only the table says zone replaces the server
		}
	}
	if d := schemaDrift(resourceSchema(t, provider.NewServerResource()), table); len(d) == 0 {
		t.Fatal("a table that marks zone immutable passed against the real schema")
	}
}

func TestSchemaDriftNoticesASchemaChange(t *testing.T) {
	s := resourceSchema(t, provider.NewServerResource())
	location := s.Attributes["location"].(schema.StringAttribute)
	location.PlanModifiers = nil // only the schema stops replacing the server on a new region
	s.Attributes["location"] = location
	d := schemaDrift(s, spec.ServerFields())
	if len(d) != 1 || !strings.Contains(d[0], "attribute location: RequiresReplace = false") {
		t.Fatalf("drift = %q, want the location attribute reported", d)
	}
	s = resourceSchema(t, provider.NewServerResource())
	zone := s.Attributes["zone"].(schema.StringAttribute)
	zone.PlanModifiers = append(zone.PlanModifiers, stringplanmodifier.RequiresReplace())
	s.Attributes["zone"] = zone
	if d := schemaDrift(s, spec.ServerFields()); len(d) == 0 {
		t.Fatal("a schema that replaces the server on a zone change passed")
	}
}

// TestSchemasAreValid runs the framework's own implementation checks (e.g. write-only attributes carry no
// plan modifiers, defaults only on computed attributes) on every resource schema.
func TestSchemasAreValid(t *testing.T) {
	for _, tt := range resourceTables() {
		s := resourceSchema(t, tt.resource)
		if diags := s.ValidateImplementation(context.Background()); diags.HasError() {
			t.Errorf("%s: %v", tt.typeName, diags)
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

// TestSingleBlocksMatchTheSchemas: attributePath addresses exactly the blocks of at most one element that
// the schemas have through [0], so a diagnostic inside any of them lands on its attribute's line.
func TestSingleBlocksMatchTheSchemas(t *testing.T) {
	found := map[string]bool{}
	for _, tt := range resourceTables() {
		for name, b := range resourceSchema(t, tt.resource).Blocks {
			if _, ok := b.(schema.ListNestedBlock); ok {
				found[name] = true
			}
		}
	}
	for name := range found {
		if !provider.SingleBlocks[name] {
			t.Errorf("list block %s is not addressed through its element by attributePath", name)
		}
	}
	for name := range provider.SingleBlocks {
		if !found[name] {
			t.Errorf("attributePath treats %s as a block, but no schema has that block", name)
		}
	}
}

// TestServerDataSourceMatchesTheResource: the flexpg_server data source reads back every attribute of the
// resource (blocks included) with the same type, except the secrets, which are never read back, and adds
// only the replication state and metrics a reader of the server wants.
func TestServerDataSourceMatchesTheResource(t *testing.T) {
	rs := resourceSchema(t, provider.NewServerResource())
	resp := &datasource.SchemaResponse{}
	provider.NewServerDataSource().Schema(context.Background(), datasource.SchemaRequest{}, resp)
	ds := resp.Schema
	secrets := map[string]bool{"administrator_password": true, "administrator_password_wo": true, "administrator_password_wo_version": true}
	want := map[string]attr.Type{}
	for name, a := range rs.Attributes {
		if !secrets[name] {
			want[name] = a.GetType()
		}
	}
	for name, b := range rs.Blocks {
		if name != "timeouts" {
			want[name] = b.Type()
		}
	}
	for name, typ := range want {
		a, ok := ds.Attributes[name]
		if !ok {
			t.Errorf("the data source lacks %s", name)
			continue
		}
		if !a.GetType().Equal(typ) {
			t.Errorf("%s: data source type %s, resource type %s", name, a.GetType(), typ)
		}
	}
	readOnly := map[string]attr.Type{"replication_state": types.StringType,
		"max_physical_replication_lag_bytes": types.Int64Type, "read_replica_lag_seconds": types.Float64Type}
	for name, a := range ds.Attributes {
		if typ, ok := readOnly[name]; ok {
			if !a.GetType().Equal(typ) {
				t.Errorf("%s: data source type %s, want %s", name, a.GetType(), typ)
			}
			continue
		}
		if _, ok := want[name]; !ok {
			t.Errorf("the data source has %s, which the resource does not", name)
		}
	}
	for name := range readOnly {
		if _, ok := ds.Attributes[name]; !ok {
			t.Errorf("the data source lacks %s", name)
		}
	}
	for name := range secrets {
		if _, ok := ds.Attributes[name]; ok {
			t.Errorf("the data source exposes the secret %s", name)
		}
	}
}
