package spec

import (
	"slices"
	"strings"
	"testing"
)

func TestValidateReplica(t *testing.T) {
	ok := ReplicaConfig{Name: "rep-1", SourceServerID: "/flexibleServers/main"}
	for _, tc := range []struct {
		name string
		edit func(*ReplicaConfig)
		rule RuleID // "" = valid
	}{
		{"minimal", func(*ReplicaConfig) {}, ""},
		{"full", func(c *ReplicaConfig) {
			c.Location, c.Zone, c.SKUName, c.StorageMB = "northeurope", "2", "MO_Standard_E4s_v3", 65536
			c.ReplicationRole, c.PromoteOption = ReplicationRolePrimary, PromoteOptionForced
		}, ""},
		{"no source", func(c *ReplicaConfig) { c.SourceServerID = "" }, Rule("source_server_id", KindRequired)},
		{"bad source", func(c *ReplicaConfig) { c.SourceServerID = "main" }, Rule("source_server_id", KindFormat)},
		{"burstable", func(c *ReplicaConfig) { c.SKUName = "B_Standard_B1ms" }, Rule("sku_name", KindNotBurstable)},
		{"bad role", func(c *ReplicaConfig) { c.ReplicationRole = "Secondary" }, Rule("replication_role", KindAllowedValues)},
		{"bad option", func(c *ReplicaConfig) { c.PromoteOption = "soon" }, Rule("promote_option", KindAllowedValues)},
		{"subnet without zone", func(c *ReplicaConfig) { c.DelegatedSubnetID = "/virtualNetworks/v/subnets/s" }, Rule("private_dns_zone_id", KindRequired)},
		{"zone without subnet", func(c *ReplicaConfig) { c.PrivateDNSZoneID = "/privateDnsZones/a.postgres.flexpg.internal" }, Rule("delegated_subnet_id", KindRequired)},
		{"bad storage", func(c *ReplicaConfig) { c.StorageMB = 1000 }, Rule("storage_mb", KindAllowedSizes)},
	} {
		c := ok
		tc.edit(&c)
		errs := ValidateReplica(c)
		if tc.rule == "" && len(errs) > 0 || tc.rule != "" && !hasRuleID(errs, tc.rule) {
			t.Errorf("%s: %v; want %q", tc.name, errs, tc.rule)
		}
	}
}

func hasRuleID(errs FieldErrors, rule RuleID) bool {
	for _, e := range errs {
		if e.Rule == rule {
			return true
		}
	}
	return false
}

func TestReplicationRoleChanges(t *testing.T) {
	for _, tc := range []struct {
		old, new string
		ok       bool
	}{
		{"", ReplicationRoleAsyncReplica, true},
		{ReplicationRoleAsyncReplica, ReplicationRolePrimary, true},
		{ReplicationRoleAsyncReplica, ReplicationRoleNone, true},
		{ReplicationRolePrimary, ReplicationRoleAsyncReplica, true}, // swap back
		{ReplicationRolePrimary, ReplicationRoleNone, false},
		{ReplicationRoleNone, ReplicationRoleAsyncReplica, false}, // irreversible
		{ReplicationRoleNone, ReplicationRolePrimary, false},
		{ReplicationRoleNone, ReplicationRoleNone, true},
	} {
		if err := ValidateReplicationRoleChange(tc.old, tc.new); (err == nil) != tc.ok {
			t.Errorf("%q → %q: %v; want ok=%v", tc.old, tc.new, err, tc.ok)
		}
	}
	if ValidateReplicaCreateRole(ReplicationRoleNone) == nil || ValidateReplicaCreateRole("") != nil {
		t.Error("a replica is created as AsyncReplica only")
	}
}

func TestReplicaSizeRules(t *testing.T) {
	d2, d4, e2 := Size{"GP_Standard_D2s_v3", 32768}, Size{"GP_Standard_D4s_v3", 65536}, Size{"MO_Standard_E2s_v3", 32768}
	for _, tc := range []struct {
		name             string
		primary, replica Size
		pAuto, rAuto     bool
		rules            []RuleID
	}{
		{"equal", d2, d2, false, false, nil},
		{"larger replica", d2, d4, true, true, nil},
		{"memory optimized replica of the same cores", d2, e2, false, false, nil},
		{"smaller compute and storage", d4, d2, false, false, []RuleID{Rule("sku_name", KindAtLeastSource), Rule("storage_mb", KindAtLeastSource)}},
		{"fewer cores, more memory", Size{"MO_Standard_E4s_v3", 32768}, Size{"GP_Standard_D2s_v3", 32768}, false, false, []RuleID{Rule("sku_name", KindAtLeastSource)}},
		{"auto-grow differs", d2, d2, true, false, []RuleID{Rule("auto_grow_enabled", KindEqualsSource)}},
	} {
		errs := ValidateReplicaSize(tc.primary, tc.pAuto, tc.replica, tc.rAuto)
		if len(errs) != len(tc.rules) {
			t.Errorf("%s: %v; want %v", tc.name, errs, tc.rules)
			continue
		}
		for _, r := range tc.rules {
			if !hasRuleID(errs, r) {
				t.Errorf("%s: %v; want %s", tc.name, errs, r)
			}
		}
	}
	// A primary scales up only after its replicas.
	replicas := map[string]Size{"rep-b": d2, "rep-a": d4}
	if errs := ValidatePrimaryScale(d2, replicas); len(errs) != 0 {
		t.Errorf("primary at the smallest replica's size: %v", errs)
	}
	errs := ValidatePrimaryScale(d4, replicas)
	if len(errs) != 2 || !hasRuleID(errs, Rule("sku_name", KindReplicasFirst)) || !strings.Contains(errs[0].Message, "rep-b") ||
		strings.Contains(errs[0].Message, "rep-a") {
		t.Errorf("primary above a replica: %v", errs)
	}
}

func TestRecoveryParameterViolations(t *testing.T) {
	primary := map[string]string{"max_connections": "100", "max_wal_senders": "10", "max_worker_processes": "8"}
	replica := map[string]string{"max_connections": "99", "max_wal_senders": "20", "max_worker_processes": "8"}
	errs := RecoveryParameterViolations(primary, replica, "rep-1", false)
	if len(errs) != 1 || errs[0].Field != "max_connections" || errs[0].Rule != Rule("max_connections", KindAtLeastSource) {
		t.Fatalf("%v", errs)
	}
	errs = RecoveryParameterViolations(primary, replica, "rep-1", true)
	if len(errs) != 1 || errs[0].Rule != Rule("max_connections", KindReplicasFirst) || !strings.Contains(errs[0].Message, "rep-1") {
		t.Fatalf("%v", errs)
	}
	if len(RecoveryParameters()) != 5 || !slices.Contains(RecoveryParameters(), "max_locks_per_transaction") {
		t.Fatal("the five parameters of seed 004")
	}
}

func TestPromotionBlocked(t *testing.T) {
	params := map[string]string{"max_connections": "100"}
	base := PromotionFacts{Role: ReplicationRolePrimary, Option: PromoteOptionPlanned,
		Replica: Size{"GP_Standard_D2s_v3", 32768}, Primary: Size{"GP_Standard_D2s_v3", 32768},
		ReplicaParams: params, PrimaryParams: params, ReplicaReady: true, PrimaryReady: true, ReaderTargetsReplica: true}
	for _, tc := range []struct {
		name string
		edit func(*PromotionFacts)
		rule RuleID
	}{
		{"symmetric, with an endpoint", func(*PromotionFacts) {}, ""},
		{"bigger replica", func(f *PromotionFacts) { f.Replica.SKUName = "GP_Standard_D4s_v3" }, Rule("replication_role", KindSymmetry)},
		{"more storage", func(f *PromotionFacts) { f.Replica.StorageMB = 65536 }, Rule("replication_role", KindSymmetry)},
		{"parameters differ", func(f *PromotionFacts) { f.ReplicaParams = map[string]string{"max_connections": "200"} }, Rule("replication_role", KindSymmetry)},
		{"no endpoint", func(f *PromotionFacts) { f.ReaderTargetsReplica = false }, Rule("replication_role", KindEndpointReader)},
		{"primary not ready", func(f *PromotionFacts) { f.PrimaryReady = false }, Rule("promote_option", KindServersReady)},
		{"forced skips every check", func(f *PromotionFacts) {
			f.Option, f.PrimaryReady, f.ReaderTargetsReplica, f.Replica.SKUName = PromoteOptionForced, false, false, "GP_Standard_D4s_v3"
		}, ""},
		{"independent needs no symmetry", func(f *PromotionFacts) {
			f.Role, f.ReaderTargetsReplica, f.Replica.SKUName = ReplicationRoleNone, false, "GP_Standard_D4s_v3"
		}, ""},
	} {
		f := base
		tc.edit(&f)
		err := PromotionBlocked(f)
		if tc.rule == "" && err != nil || tc.rule != "" && (err == nil || err.Rule != tc.rule) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.rule)
		}
	}
}

func TestReplicaCapacityAndEndpointsAfterPromotion(t *testing.T) {
	if ReplicaCapacity("GP_Standard_D2s_v3", false, 2) != 3 || ReplicaCapacity("B_Standard_B1ms", false, 0) != 0 ||
		ReplicaCapacity("GP_Standard_D2s_v3", true, 0) != 0 || ReplicaCapacity("GP_Standard_D2s_v3", false, 7) != 0 {
		t.Error("replica_capacity")
	}
	// Seed 004's table: writer on the primary, reader on the replica "b" of primary "a".
	for _, tc := range []struct {
		role, writer, reader string
	}{
		{ReplicationRolePrimary, "b", "a"}, // writer to the new primary, reader to the new replica
		{ReplicationRoleNone, "a", "a"},    // writer unchanged, reader to the primary
	} {
		if w, r := WriterAfterPromotion(tc.role, "a", "b"), ReaderAfterPromotion(tc.role, "b", "b", "a"); w != tc.writer || r != tc.reader {
			t.Errorf("%s: writer %s reader %s; want %s %s", tc.role, w, r, tc.writer, tc.reader)
		}
	}
	// A reader on the primary stays there for a promotion to independent server.
	if r := ReaderAfterPromotion(ReplicationRoleNone, "a", "b", "a"); r != "a" {
		t.Errorf("reader on the primary moved to %s", r)
	}
}
