package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The API's side of "one rule, one place": for every field of a resource's spec table, an update that
// changes that field alone is refused as immutable exactly when the table says the field is immutable.
// The provider's parity test holds the schema to the same table, so a rule changed in one place only fails
// one of the two.

// change is a request that changes one field of an existing resource, on a fresh API seeded by seed.
type change struct {
	seed func(t *testing.T, st *store.Store)
	req  func() (method, path string, body any)
}

// outcome is what the API made of a change: accepted (202), refused as immutable, or refused otherwise.
type outcome string

const (
	wasAccepted      outcome = "accepted"
	refusedImmutable outcome = "refused as immutable"
	refusedNotYet    outcome = "refused as not supported yet"
	refusedOtherwise outcome = "refused for another reason"
)

// updatePath sends the change of one field and reports what the API made of it.
type updatePath func(t *testing.T, field string, c change) outcome

// realPath is the API as it is.
func realPath(t *testing.T, field string, c change) outcome {
	srv, _, st := newTestAPI(t)
	c.seed(t, st)
	method, path, body := c.req()
	resp, out := call(t, srv, method, path, body, nil)
	if resp.StatusCode == http.StatusAccepted {
		return wasAccepted
	}
	var e model.ErrorResponse
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("error body %s: %v", out, err)
	}
	got := refusedOtherwise
	for _, d := range e.Error.Details {
		switch d.Rule {
		case string(spec.Rule(field, spec.KindImmutable)):
			return refusedImmutable
		case string(spec.Rule(field, spec.KindUnsupported)), string(spec.Rule(field, spec.KindUpgradeUnsupported)):
			got = refusedNotYet // a feature this cloud does not perform yet: a change, but not one it can make
		}
	}
	if got == refusedOtherwise {
		t.Logf("%s: %d %s", field, resp.StatusCode, out)
	}
	return got
}

// apiDrift lists the fields whose update the path treats differently from the table: an immutable field's
// change must be refused as immutable, a mutable field's accepted (or refused only as a feature this
// version of the cloud does not perform yet, such as an in-place major upgrade). Identity fields are
// the resource's path, so no update can carry them; an immutable field with no change to send is drift
// too (the API could not enforce it).
func apiDrift(t *testing.T, table spec.Table, changes map[string]change, path updatePath) []string {
	var drift []string
	for _, f := range table.Fields {
		if f.Identity {
			continue
		}
		c, ok := changes[f.Attribute]
		if !ok {
			if f.Immutable {
				drift = append(drift, "immutable field "+f.Attribute+" has no API change to test")
			}
			continue // an input the provider alone handles (a write-only password, say)
		}
		got := path(t, f.Attribute, c)
		if f.Immutable && got != refusedImmutable || !f.Immutable && got != wasAccepted && got != refusedNotYet {
			drift = append(drift, fmt.Sprintf("%s %s (spec Immutable = %v): %s", table.Noun, f.Attribute, f.Immutable, got))
		}
	}
	for name := range changes {
		if _, ok := table.Lookup(name); !ok {
			drift = append(drift, "the test changes "+name+", which the "+table.Noun+" table does not have")
		}
	}
	return drift
}

func TestAPIImmutabilityParity(t *testing.T) {
	for _, tc := range parityCases() {
		t.Run(tc.table.Noun, func(t *testing.T) {
			for _, d := range apiDrift(t, tc.table, tc.changes, realPath) {
				t.Error(d)
			}
		})
	}
}

// TestAPIDriftNoticesAnAPIChange: an API path that lets one immutable field through, and a table that
// disagrees with the API on one field, each fail the parity check.
func TestAPIDriftNoticesAnAPIChange(t *testing.T) {
	tc := serverParity()
	lax := func(t *testing.T, field string, c change) outcome {
		if field == "location" {
			return wasAccepted // this API forgets that a server stays in its region
		}
		return realPath(t, field, c)
	}
	if d := apiDrift(t, tc.table, tc.changes, lax); len(d) != 1 {
		t.Fatalf("drift = %q, want location reported", d)
	}
	table := tc.table
	table.Fields = append([]spec.Field(nil), table.Fields...)
	for i := range table.Fields {
		if table.Fields[i].Attribute == "zone" {
			table.Fields[i].Immutable = true // only the table changes: a zone change is still accepted by the API
		}
	}
	if d := apiDrift(t, table, tc.changes, realPath); len(d) != 1 {
		t.Fatalf("drift = %q, want zone reported", d)
	}
}

type parityCase struct {
	table   spec.Table
	changes map[string]change
}

func parityCases() []parityCase {
	return []parityCase{serverParity(), vnetParity(), subnetParity(), linkParity(), databaseParity(), firewallParity(), configurationParity()}
}

// seedServer stores a server as the cloud has it after a create (Ready, idle), edited by edit.
func seedServer(edit func(*model.Server)) func(t *testing.T, st *store.Store) {
	return func(t *testing.T, st *store.Store) {
		t.Helper()
		on := true
		s := model.Server{Name: "demo", Location: "westeurope", Zone: "1", Version: "15", SKUName: "GP_Standard_D2s_v3",
			StorageMB: 32768, StorageTier: "P4", AdministratorLogin: "pgadmin", BackupRetentionDays: 7,
			PublicNetworkAccessEnabled: &on, CreateMode: spec.CreateModeDefault, State: spec.StateReady}
		if edit != nil {
			edit(&s)
		}
		if err := st.Update(func(tx *store.Tx) error {
			return tx.PutServer(store.Server{Spec: s, Phase: store.PhaseReady})
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// putServerChange PUTs the seeded server (base applied) with edit applied on top.
func putServerChange(base, edit func(*model.Server)) change {
	return change{seed: seedServer(base), req: func() (string, string, any) {
		s := model.Server{}
		seedSpec(&s, base)
		edit(&s)
		return http.MethodPut, "/v1/flexibleServers/demo", s
	}}
}

func seedSpec(s *model.Server, base func(*model.Server)) {
	on := true
	*s = model.Server{Name: "demo", Location: "westeurope", Zone: "1", Version: "15", SKUName: "GP_Standard_D2s_v3",
		StorageMB: 32768, StorageTier: "P4", AdministratorLogin: "pgadmin", BackupRetentionDays: 7,
		PublicNetworkAccessEnabled: &on, CreateMode: spec.CreateModeDefault, State: spec.StateReady}
	if base != nil {
		base(s)
	}
}

func private(s *model.Server) {
	off := false
	s.DelegatedSubnetID = spec.SubnetID("v1", "s1")
	s.PrivateDNSZoneID = spec.PrivateDNSZoneID("db.postgres.flexpg.internal")
	s.PublicNetworkAccessEnabled = &off
}

func restored(s *model.Server) {
	s.CreateMode, s.SourceServerID, s.PointInTimeRestoreTimeInUTC = spec.CreateModePointInTimeRestore, spec.ServerID("origin"), "2026-01-01T00:00:00Z"
}

func serverParity() parityCase {
	return parityCase{table: spec.ServerFields(), changes: map[string]change{
		"location":                     putServerChange(nil, func(s *model.Server) { s.Location = "northeurope" }),
		"zone":                         putServerChange(nil, func(s *model.Server) { s.Zone = "2" }),
		"version":                      putServerChange(nil, func(s *model.Server) { s.Version = "17" }),
		"sku_name":                     putServerChange(nil, func(s *model.Server) { s.SKUName = "GP_Standard_D4s_v3" }),
		"storage_mb":                   putServerChange(nil, func(s *model.Server) { s.StorageMB, s.StorageTier = 65536, "P6" }),
		"storage_tier":                 putServerChange(nil, func(s *model.Server) { s.StorageTier = "P10" }),
		"auto_grow_enabled":            putServerChange(nil, func(s *model.Server) { s.AutoGrowEnabled = true }),
		"administrator_login":          putServerChange(nil, func(s *model.Server) { s.AdministratorLogin = "otheradmin" }),
		"administrator_password":       putServerChange(nil, func(s *model.Server) { s.AdministratorPassword = "An0ther-Passw0rd!" }),
		"backup_retention_days":        putServerChange(nil, func(s *model.Server) { s.BackupRetentionDays = 14 }),
		"geo_redundant_backup_enabled": putServerChange(nil, func(s *model.Server) { s.GeoRedundantBackupEnabled = true }),
		"high_availability": putServerChange(nil, func(s *model.Server) {
			s.HighAvailability = &model.HighAvailability{Mode: spec.HAModeZoneRedundant}
		}),
		"maintenance_window": putServerChange(nil, func(s *model.Server) {
			s.MaintenanceWindow = &model.MaintenanceWindow{DayOfWeek: 1, StartHour: 2}
		}),
		"delegated_subnet_id": putServerChange(private, func(s *model.Server) { s.DelegatedSubnetID = spec.SubnetID("v1", "s2") }),
		"private_dns_zone_id": putServerChange(private, func(s *model.Server) {
			s.PrivateDNSZoneID = spec.PrivateDNSZoneID("other.postgres.flexpg.internal")
		}),
		"public_network_access_enabled": putServerChange(nil, func(s *model.Server) { off := false; s.PublicNetworkAccessEnabled = &off }),
		"create_mode":                   putServerChange(nil, func(s *model.Server) { restored(s) }),
		"source_server_id":              putServerChange(restored, func(s *model.Server) { s.SourceServerID = spec.ServerID("another") }),
		"point_in_time_restore_time_in_utc": putServerChange(restored, func(s *model.Server) {
			s.PointInTimeRestoreTimeInUTC = "2026-01-02T00:00:00Z"
		}),
		"state": putServerChange(nil, func(s *model.Server) { s.State = spec.StateStopped }),
		"tags":  putServerChange(nil, func(s *model.Server) { s.Tags = map[string]string{"team": "db"} }),
	}}
}

func seedNetwork(t *testing.T, st *store.Store) {
	t.Helper()
	seedSubnet(t, st)
	if err := st.Update(func(tx *store.Tx) error {
		if err := tx.PutVirtualNetwork(store.VirtualNetwork{VNet: model.VirtualNetwork{Name: "v2", Location: "westeurope", AddressSpace: []string{"10.30.0.0/16"}}}); err != nil {
			return err
		}
		return tx.PutPrivateDNSZoneLink(store.PrivateDNSZoneLink{Zone: "db.postgres.flexpg.internal", VNet: "v1",
			Link: model.PrivateDNSZoneLink{Name: "l1", VirtualNetworkID: spec.VirtualNetworkID("v1")}})
	}); err != nil {
		t.Fatal(err)
	}
}

func request(method, path string, body any) func() (string, string, any) {
	return func() (string, string, any) { return method, path, body }
}

func vnetParity() parityCase {
	return parityCase{table: spec.VirtualNetworkFields(), changes: map[string]change{
		"location": {seedNetwork, request(http.MethodPut, "/v1/virtualNetworks/v1",
			model.VirtualNetwork{Location: "northeurope", AddressSpace: []string{"10.20.0.0/16"}})},
		"address_space": {seedNetwork, request(http.MethodPut, "/v1/virtualNetworks/v1",
			model.VirtualNetwork{Location: "westeurope", AddressSpace: []string{"10.20.0.0/15"}})},
	}}
}

func subnetParity() parityCase {
	return parityCase{table: spec.SubnetFields(), changes: map[string]change{
		"address_prefix": {seedNetwork, request(http.MethodPut, "/v1/virtualNetworks/v1/subnets/s1",
			model.Subnet{AddressPrefix: "10.20.2.0/24", Delegation: spec.DelegationFlexibleServers})},
		"delegation": {seedNetwork, request(http.MethodPut, "/v1/virtualNetworks/v1/subnets/s1",
			model.Subnet{AddressPrefix: "10.20.1.0/24"})},
	}}
}

func linkParity() parityCase {
	path := "/v1/privateDnsZones/db.postgres.flexpg.internal/virtualNetworkLinks/l1"
	return parityCase{table: spec.PrivateDNSZoneLinkFields(), changes: map[string]change{
		"virtual_network_id": {seedNetwork, request(http.MethodPut, path, model.PrivateDNSZoneLink{VirtualNetworkID: spec.VirtualNetworkID("v2")})},
		"registration_enabled": {seedNetwork, request(http.MethodPut, path,
			model.PrivateDNSZoneLink{VirtualNetworkID: spec.VirtualNetworkID("v1"), RegistrationEnabled: true})},
	}}
}

func seedDatabase(t *testing.T, st *store.Store) {
	t.Helper()
	seedServer(nil)(t, st)
	if err := st.Update(func(tx *store.Tx) error {
		return tx.PutDatabase(store.Database{Server: "demo", Ready: true,
			Database: model.Database{Name: "app", Charset: spec.DefaultCharset, Collation: spec.DefaultCollation}})
	}); err != nil {
		t.Fatal(err)
	}
}

func databaseParity() parityCase {
	return parityCase{table: spec.DatabaseFields(), changes: map[string]change{
		"charset": {seedDatabase, request(http.MethodPut, "/v1/flexibleServers/demo/databases/app",
			model.Database{Charset: "SQL_ASCII", Collation: "C"})},
		"collation": {seedDatabase, request(http.MethodPut, "/v1/flexibleServers/demo/databases/app",
			model.Database{Charset: spec.DefaultCharset, Collation: "C"})},
	}}
}

func firewallParity() parityCase {
	path := "/v1/flexibleServers/demo/firewallRules/r1"
	return parityCase{table: spec.FirewallRuleFields(), changes: map[string]change{
		"start_ip_address": {seedServer(nil), request(http.MethodPut, path, model.FirewallRule{StartIPAddress: "10.0.0.0", EndIPAddress: "10.0.0.9"})},
		"end_ip_address":   {seedServer(nil), request(http.MethodPut, path, model.FirewallRule{StartIPAddress: "10.0.0.1", EndIPAddress: "10.0.0.8"})},
	}}
}

func configurationParity() parityCase {
	return parityCase{table: spec.ConfigurationFields(), changes: map[string]change{
		"value": {seedServer(nil), request(http.MethodPut, "/v1/flexibleServers/demo/configurations/work_mem", model.Configuration{Value: "8192"})},
	}}
}
