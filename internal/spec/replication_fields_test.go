package spec

import "testing"

func TestValidateReplicaUpdate(t *testing.T) {
	on, off := true, false
	current := ReplicaConfig{Name: "r1", SourceServerID: "/flexibleServers/p1", Location: "westeurope", Zone: "1",
		SKUName: "GP_Standard_D2s_v3", StorageMB: 65536, AutoGrow: &off, ReplicationRole: ReplicationRoleAsyncReplica,
		PromoteOption: PromoteOptionPlanned}
	change := func(f func(*ReplicaConfig)) ReplicaConfig {
		c := current
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		old   ReplicaConfig
		new   ReplicaConfig
		rules []string
	}{
		{"no change", current, current, nil},
		{"scale and grow in place", current, change(func(c *ReplicaConfig) {
			c.SKUName, c.StorageMB, c.AutoGrow = "GP_Standard_D4s_v3", 131072, &on
		}), nil},
		{"promote to primary", current, change(func(c *ReplicaConfig) { c.ReplicationRole = ReplicationRolePrimary }), nil},
		{"another source", current, change(func(c *ReplicaConfig) { c.SourceServerID = "/flexibleServers/p2" }),
			[]string{"source_server_id.immutable"}},
		{"another region and zone", current, change(func(c *ReplicaConfig) { c.Location, c.Zone = "northeurope", "2" }),
			[]string{"location.immutable", "zone.immutable"}},
		{"private network", current, change(func(c *ReplicaConfig) {
			c.DelegatedSubnetID, c.PrivateDNSZoneID = "/virtualNetworks/v/subnets/s", "/privateDnsZones/z.postgres.flexpg.internal"
		}), []string{"delegated_subnet_id.immutable", "private_dns_zone_id.immutable"}},
		{"shrink", current, change(func(c *ReplicaConfig) { c.StorageMB = 32768 }), []string{"storage_mb.no_shrink"}},
		{"back from independent", change(func(c *ReplicaConfig) { c.ReplicationRole = ReplicationRoleNone }), current,
			[]string{"replication_role.role_transition"}},
	}
	for _, tt := range tests {
		checkRules(t, tt.name, ValidateReplicaUpdate(tt.old, tt.new), tt.rules...)
	}
}

// Every immutable field of the two tables says why, so the docs and the API's refusal explain themselves.
func TestReplicationTablesSayWhy(t *testing.T) {
	for _, table := range []Table{ReplicaFields(), VirtualEndpointFields()} {
		for _, f := range table.Fields {
			if f.Immutable && !f.Identity && f.Why == "" {
				t.Errorf("%s: immutable field %s has no reason", table.Noun, f.Attribute)
			}
		}
	}
}
