package memcloud_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func gp(s *model.Server) { s.SKUName = "GP_Standard_D2s_v3" }

// replicaOf asks for a replica of source; edit changes the request.
func replicaOf(ctx context.Context, c *memcloud.Cloud, name, source string, edit func(*model.Server)) error {
	s := model.Server{Name: name, CreateMode: spec.CreateModeReplica, SourceServerID: spec.ServerID(source)}
	if edit != nil {
		edit(&s)
	}
	op, err := c.Client().PutServer(ctx, name, s, true)
	_, err = c.Client().Do(ctx, op, err, nil)
	return err
}

// TestReplicaRulesAtApply: every rule of seed 004 that needs the source's state is an API error naming the
// field and the rule, and a refused replica leaves no record, container or slot.
func TestReplicaRulesAtApply(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	if err := createServer(ctx, c, "small", nil); err != nil { // Burstable
		t.Fatal(err)
	}
	if err := replicaOf(ctx, c, "rep1", "demo", nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, source string
		edit         func(*model.Server)
		rule         spec.RuleID
	}{
		{"burstable source", "small", nil, spec.Rule("source_server_id", spec.KindNotBurstable)},
		{"cascading", "rep1", nil, spec.Rule("source_server_id", spec.KindNoCascading)},
		{"missing source", "nope", nil, spec.Rule("source_server_id", spec.KindExists)},
		{"auto-grow differs", "demo", func(s *model.Server) { s.AutoGrowEnabled = true }, spec.Rule("auto_grow_enabled", spec.KindEqualsSource)},
		{"private replica of a public server", "demo", func(s *model.Server) {
			s.DelegatedSubnetID, s.PrivateDNSZoneID = "/virtualNetworks/v/subnets/s", "/privateDnsZones/x.postgres.flexpg.internal"
		}, spec.Rule("delegated_subnet_id", spec.KindPrivateServer)},
		{"a password", "demo", func(s *model.Server) { s.AdministratorPassword = password }, spec.Rule("administrator_password", spec.KindUnsupported)},
	}
	for _, tc := range cases {
		err := replicaOf(ctx, c, "refused", tc.source, tc.edit)
		if !hasRule(err, tc.rule) {
			t.Errorf("%s: %v; want rule %s", tc.name, err, tc.rule)
		}
	}
	if _, err := c.Client().GetServer(ctx, "refused"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("a refused replica left a record: %v", err)
	}

	// Sizes: against a primary with 4 vCores and 64 GiB.
	if err := createServer(ctx, c, "big", func(s *model.Server) { s.SKUName = "GP_Standard_D4s_v3"; s.StorageMB = 65536 }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit func(*model.Server)
		rule spec.RuleID
	}{
		{func(s *model.Server) { s.SKUName = "GP_Standard_D2s_v3" }, spec.Rule("sku_name", spec.KindAtLeastSource)},
		{func(s *model.Server) { s.StorageMB = 32768 }, spec.Rule("storage_mb", spec.KindAtLeastSource)},
	} {
		if err := replicaOf(ctx, c, "refused", "big", tc.edit); !hasRule(err, tc.rule) {
			t.Errorf("%v; want rule %s", err, tc.rule)
		}
	}
}

// TestReplicaLimit: a primary takes five replicas, and replica_capacity counts them down; the sixth is
// refused.
func TestReplicaLimit(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	for i := 1; i <= spec.MaxReplicas; i++ {
		if err := replicaOf(ctx, c, fmt.Sprintf("rep%d", i), "demo", nil); err != nil {
			t.Fatal(err)
		}
		s, err := c.Client().GetServer(ctx, "demo")
		if err != nil || s.ReplicaCapacity != spec.MaxReplicas-i || len(s.Replicas) != i {
			t.Fatalf("after %d replicas: capacity %d, replicas %v (%v)", i, s.ReplicaCapacity, s.Replicas, err)
		}
	}
	if err := replicaOf(ctx, c, "rep6", "demo", nil); !hasRule(err, spec.Rule("source_server_id", spec.KindReplicaLimit)) {
		t.Fatalf("sixth replica: %v", err)
	}
	r, err := c.Client().GetServer(ctx, "rep1")
	if err != nil || r.ReplicaCapacity != 0 || r.ReplicationState != spec.ReplicationStateActive {
		t.Fatalf("a replica: capacity %d, state %s (%v)", r.ReplicaCapacity, r.ReplicationState, err)
	}
}

// TestPrimaryWithReplicasIsNotDeleted: 409 naming the replicas; after they go, the primary goes.
func TestPrimaryWithReplicasIsNotDeleted(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	for _, r := range []string{"repb", "repa"} {
		if err := replicaOf(ctx, c, r, "demo", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Client().DeleteServer(ctx, "demo")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Message, "(repa, repb)") {
		t.Fatalf("delete of a primary with replicas: %v", err)
	}
	for _, r := range []string{"repa", "repb", "demo"} {
		op, err := c.Client().DeleteServer(ctx, r)
		if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
			t.Fatal(err)
		}
	}
	left, err := c.Leftovers(ctx)
	if err != nil || len(left) != 0 {
		t.Fatalf("leftovers %v %v", left, err)
	}
}

func hasRule(err error, rule spec.RuleID) bool {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, d := range apiErr.Details {
		if d.Rule == string(rule) {
			return true
		}
	}
	return false
}

// TestReplicaRecoveryParameters: seed 004's five parameters stay at least the primary's on a replica, from
// either side.
func TestReplicaRecoveryParameters(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	if err := replicaOf(ctx, c, "rep1", "demo", nil); err != nil {
		t.Fatal(err)
	}
	put := func(server, value string) error {
		op, err := c.Client().PutConfiguration(ctx, server, "max_connections", value)
		_, err = c.Client().Do(ctx, op, err, nil)
		return err
	}
	if err := put("rep1", "30"); !hasRule(err, spec.Rule("max_connections", spec.KindAtLeastSource)) {
		t.Fatalf("lower on the replica: %v", err)
	}
	if err := put("demo", "900"); !hasRule(err, spec.Rule("max_connections", spec.KindReplicasFirst)) {
		t.Fatalf("higher on the primary: %v", err)
	}
	if err := put("rep1", "900"); err != nil {
		t.Fatalf("higher on the replica first: %v", err)
	}
	if err := put("demo", "900"); err != nil {
		t.Fatalf("then on the primary: %v", err)
	}
	op, err := c.Client().ResetConfiguration(ctx, "rep1", "max_connections")
	if _, err := c.Client().Do(ctx, op, err, nil); !hasRule(err, spec.Rule("max_connections", spec.KindAtLeastSource)) {
		t.Fatalf("reset on the replica below the primary: %v", err)
	}
}

// TestReplicaPowerOrder: a replica stops only after its primary (enforced), and a primary's start starts
// its stopped replicas first (ordered by the cloud), as seed 004's power operations say.
func TestReplicaPowerOrder(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	if err := replicaOf(ctx, c, "rep1", "demo", nil); err != nil {
		t.Fatal(err)
	}
	do := func(op *model.Operation, err error) error { _, err = c.Client().Do(ctx, op, err, nil); return err }
	err := do(c.Client().StopServer(ctx, "rep1"))
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Message, "after its primary demo") {
		t.Fatalf("stop of a replica whose primary runs: %v", err)
	}
	if err := do(c.Client().StopServer(ctx, "demo")); err != nil {
		t.Fatal(err)
	}
	if err := do(c.Client().StopServer(ctx, "rep1")); err != nil {
		t.Fatalf("stop of the replica after its primary: %v", err)
	}
	if err := do(c.Client().StartServer(ctx, "demo")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"demo", "rep1"} {
		s, err := c.Client().GetServer(ctx, name)
		if err != nil || s.State != spec.StateReady {
			t.Fatalf("%s after the primary's start: %v %v", name, s.State, err)
		}
	}
}

// TestPrimaryScalesAfterItsReplicas: a primary may not outgrow a replica; the replica scales up first.
func TestPrimaryScalesAfterItsReplicas(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	if err := replicaOf(ctx, c, "rep1", "demo", nil); err != nil {
		t.Fatal(err)
	}
	scale := func(name, sku string) error {
		s, err := c.Client().GetServer(ctx, name)
		if err != nil {
			return err
		}
		s.SKUName = sku
		op, err := c.Client().PutServer(ctx, name, *s, false)
		_, err = c.Client().Do(ctx, op, err, nil)
		return err
	}
	if err := scale("demo", "GP_Standard_D4s_v3"); !hasRule(err, spec.Rule("sku_name", spec.KindReplicasFirst)) {
		t.Fatalf("primary first: %v", err)
	}
	if err := scale("rep1", "GP_Standard_D4s_v3"); err != nil {
		t.Fatalf("replica first: %v", err)
	}
	if err := scale("demo", "GP_Standard_D4s_v3"); err != nil {
		t.Fatalf("then the primary: %v", err)
	}
	if err := scale("rep1", "GP_Standard_D2s_v3"); !hasRule(err, spec.Rule("sku_name", spec.KindAtLeastSource)) {
		t.Fatalf("replica below its primary: %v", err)
	}
}

// TestPromotionChecks: a planned promotion to primary server needs a virtual endpoint whose reader targets
// the replica and symmetric servers; forced skips both; a replica may be in another region.
func TestPromotionChecks(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	if err := replicaOf(ctx, c, "rep1", "demo", func(s *model.Server) { s.Location = "northeurope" }); err != nil {
		t.Fatalf("a replica in another region: %v", err)
	}
	if err := replicaOf(ctx, c, "big1", "demo", func(s *model.Server) { s.SKUName = "GP_Standard_D4s_v3" }); err != nil {
		t.Fatal(err)
	}
	promote := func(name, role, option string) error {
		s, err := c.Client().GetServer(ctx, name)
		if err != nil {
			return err
		}
		s.ReplicationRole, s.PromoteOption = role, option
		op, err := c.Client().PutServer(ctx, name, *s, false)
		_, err = c.Client().Do(ctx, op, err, nil)
		return err
	}
	if err := promote("rep1", spec.ReplicationRolePrimary, spec.PromoteOptionPlanned); !hasRule(err, spec.Rule("replication_role", spec.KindEndpointReader)) {
		t.Fatalf("planned to primary without a virtual endpoint: %v", err)
	}
	if err := promote("big1", spec.ReplicationRolePrimary, spec.PromoteOptionPlanned); !hasRule(err, spec.Rule("replication_role", spec.KindSymmetry)) {
		t.Fatalf("planned to primary of a larger replica: %v", err)
	}
	op, err := c.Client().PutVirtualEndpoint(ctx, "demo", model.VirtualEndpoint{Name: "demo-ve", ReplicaServerID: spec.ServerID("rep1")})
	if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
		t.Fatal(err)
	}
	if err := promote("rep1", spec.ReplicationRolePrimary, spec.PromoteOptionPlanned); err != nil {
		t.Fatalf("planned to primary with the endpoint: %v", err)
	}
	ve, err := c.Client().GetVirtualEndpoint(ctx, "demo", "demo-ve")
	if err != nil || ve.WriterServerID != spec.ServerID("rep1") || ve.ReaderServerID != spec.ServerID("demo") {
		t.Fatalf("endpoint after the promotion %+v %v", ve, err)
	}
	// big1 streams from the promoted rep1 now (the old primary's replicas follow): forced skips symmetry.
	if err := promote("big1", spec.ReplicationRoleNone, spec.PromoteOptionForced); err != nil {
		t.Fatalf("forced to independent: %v", err)
	}
	if _, err := c.Client().PutVirtualEndpoint(ctx, "demo", model.VirtualEndpoint{Name: "other-ve", ReplicaServerID: spec.ServerID("demo")}); err == nil {
		t.Fatal("a second virtual endpoint on a server that is a replica now")
	}
}

// TestDeleteAfterSwitchoverHandsBack: deleting a replica promoted to primary server, whose only replica is
// the old primary, promotes the old primary back first (terraform destroy's order), so the old primary
// serves again and the whole pair can go; any other primary with replicas is still refused.
func TestDeleteAfterSwitchoverHandsBack(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	if err := replicaOf(ctx, c, "rep1", "demo", nil); err != nil {
		t.Fatal(err)
	}
	do := func(op *model.Operation, err error) error { _, err = c.Client().Do(ctx, op, err, nil); return err }
	if err := do(c.Client().PutVirtualEndpoint(ctx, "demo", model.VirtualEndpoint{Name: "demo-ve", ReplicaServerID: spec.ServerID("rep1")})); err != nil {
		t.Fatal(err)
	}
	s, _ := c.Client().GetServer(ctx, "rep1")
	s.ReplicationRole = spec.ReplicationRolePrimary
	if err := do(c.Client().PutServer(ctx, "rep1", *s, false)); err != nil {
		t.Fatal(err)
	}
	if old, _ := c.Client().GetServer(ctx, "demo"); old.ReplicaOf != spec.ServerID("rep1") {
		t.Fatalf("after the switchover demo replicates from %q", old.ReplicaOf)
	}
	if err := do(c.Client().DeleteServer(ctx, "rep1")); err == nil || !strings.Contains(err.Error(), "demo-ve") {
		t.Fatalf("delete while the virtual endpoint uses it: %v", err)
	}
	if err := do(c.Client().DeleteVirtualEndpoint(ctx, "demo", "demo-ve")); err != nil {
		t.Fatal(err)
	}
	if err := do(c.Client().DeleteServer(ctx, "rep1")); err != nil {
		t.Fatalf("delete of the promoted replica: %v", err)
	}
	old, err := c.Client().GetServer(ctx, "demo")
	if err != nil || old.ReplicaOf != "" || old.State != spec.StateReady {
		t.Fatalf("the old primary after the hand-back: %+v %v", old, err)
	}
	if err := do(c.Client().DeleteServer(ctx, "demo")); err != nil {
		t.Fatal(err)
	}
}

// TestReplicaInheritsThenDiverges: a replica starts with its primary's firewall rules and parameter
// overrides; afterwards a change on either server stays on that server.
func TestReplicaInheritsThenDiverges(t *testing.T) {
	t.Parallel()
	c, ctx := withServer(t, gp)
	do := func(op *model.Operation, err error) error { _, err = c.Client().Do(ctx, op, err, nil); return err }
	if err := do(c.Client().PutConfiguration(ctx, "demo", "work_mem", "8192")); err != nil {
		t.Fatal(err)
	}
	if err := do(c.Client().PutFirewallRule(ctx, "demo", model.FirewallRule{Name: "office", StartIPAddress: "10.0.0.1", EndIPAddress: "10.0.0.9"})); err != nil {
		t.Fatal(err)
	}
	if err := replicaOf(ctx, c, "rep1", "demo", nil); err != nil {
		t.Fatal(err)
	}
	conf, err := c.Client().GetConfiguration(ctx, "rep1", "work_mem")
	if err != nil || conf.Value != "8192" {
		t.Fatalf("inherited work_mem %+v %v", conf, err)
	}
	if _, err := c.Client().GetFirewallRule(ctx, "rep1", "office"); err != nil {
		t.Fatalf("inherited firewall rule: %v", err)
	}
	if err := do(c.Client().PutConfiguration(ctx, "rep1", "work_mem", "16384")); err != nil {
		t.Fatal(err)
	}
	if err := do(c.Client().DeleteFirewallRule(ctx, "demo", "office")); err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Client().GetConfiguration(ctx, "demo", "work_mem"); p == nil || p.Value != "8192" {
		t.Fatalf("the primary's work_mem after the replica's change: %+v", p)
	}
	if _, err := c.Client().GetFirewallRule(ctx, "rep1", "office"); err != nil {
		t.Fatalf("the replica's rule after the primary's was deleted: %v", err)
	}
}
