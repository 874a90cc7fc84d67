package controller

import (
	"errors"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// TestDamagedFirewallRuleFailsTheChange: a rule record that does not convert into addresses (the API never
// accepts one; here it is written behind its back) makes the change fail naming the rule, instead of the
// rule being silently dropped from the endpoint and pg_hba.
func TestDamagedFirewallRuleFailsTheChange(t *testing.T) {
	h := newHarness(t)
	h.waitOp(h.createServer("demo").ID)
	damaged := model.FirewallRule{Name: "backwards", StartIPAddress: "10.0.0.9", EndIPAddress: "10.0.0.1"}
	op := h.waitOp(h.submit(KindFirewallPut, "demo", FirewallPayload{Rule: damaged}, func(*store.Tx, *store.Operation) error { return nil }).ID)
	if op.Status != model.OperationFailed || op.Error == nil || !strings.Contains(op.Error.Message, "firewall rule backwards of server demo") {
		t.Fatalf("op %s %+v, want a failure naming the rule", op.Status, op.Error)
	}
}

// TestIsPrivateReportsAMissingServer: the question "does this server have a host endpoint?" is not
// answered "yes" for a server whose record cannot be read.
func TestIsPrivateReportsAMissingServer(t *testing.T) {
	h := newHarness(t)
	if _, err := h.ctl.isPrivate("ghost"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("isPrivate(ghost) error = %v, want ErrNotFound", err)
	}
}
