package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func presentRule(r store.FirewallRule) model.FirewallRule {
	out := r.Rule
	out.ID = spec.FirewallRuleID(r.Server, r.Rule.Name)
	out.ServerName = r.Server
	return out
}

func (a *API) listFirewallRules(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.FirewallRule, error) {
		if _, err := serverFor(tx, r.PathValue("server")); err != nil {
			return nil, err
		}
		rules, err := tx.ListFirewallRules(r.PathValue("server"))
		return each(rules, err, presentRule)
	})
}

func (a *API) getFirewallRule(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	readOne(a, w, func(tx *store.Tx) (model.FirewallRule, error) {
		if _, err := serverFor(tx, server); err != nil {
			return model.FirewallRule{}, err
		}
		rule, err := tx.GetFirewallRule(server, name)
		if errors.Is(err, store.ErrNotFound) {
			return model.FirewallRule{}, missing("firewall rule %s not found on server %s", name, server)
		}
		return presentRule(rule), err
	})
}

func (a *API) putFirewallRule(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	var req model.FirewallRule
	if !decode(w, r, &req) {
		return
	}
	req.Name, req.ServerName, req.ID = name, "", ""
	var errs spec.FieldErrors
	errs.Add(spec.ValidateFirewallRuleName(name))
	errs.AddAll(spec.ValidateFirewallRange(req.StartIPAddress, req.EndIPAddress))
	if len(errs) > 0 {
		invalid(w, errs)
		return
	}
	a.childOperation(w, server, controller.KindFirewallPut, spec.FirewallRuleID(server, name), controller.FirewallPayload{Rule: req},
		func(tx *store.Tx, s store.Server) error { return publicOnly(s) })
}

func (a *API) deleteFirewallRule(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	a.childOperation(w, server, controller.KindFirewallDelete, spec.FirewallRuleID(server, name),
		controller.FirewallPayload{Rule: model.FirewallRule{Name: name}},
		func(tx *store.Tx, s store.Server) error {
			if _, err := tx.GetFirewallRule(server, name); errors.Is(err, store.ErrNotFound) {
				return missing("firewall rule %s not found on server %s", name, server)
			}
			return nil
		})
}

// publicOnly refuses firewall rules on private-access servers, as the service does.
func publicOnly(s store.Server) error {
	private := s.Spec.DelegatedSubnetID != "" || (s.Spec.PublicNetworkAccessEnabled != nil && !*s.Spec.PublicNetworkAccessEnabled)
	if fe := spec.ValidateFirewallRuleTarget(private); fe != nil {
		return &apiErr{http.StatusConflict, model.Error{Code: model.CodeConflict, Field: fe.Field,
			Message: "server " + s.Spec.Name + ": " + fe.Message}}
	}
	return nil
}

// childOperation records and launches an operation on a server's child resource. Child operations do not
// take the server's busy slot (several rules may change at once; the controller serializes them per server),
// but they wait for no server-level operation: while one runs they get 409.
func (a *API) childOperation(w http.ResponseWriter, server, kind, resourceID string, payload any, check func(*store.Tx, store.Server) error) {
	a.serverOperation(w, server, kind, resourceID, payload, false, check)
}

func (a *API) serverOperation(w http.ResponseWriter, server, kind, resourceID string, payload any, exclusive bool, check func(*store.Tx, store.Server) error) {
	body, err := json.Marshal(payload)
	if err != nil {
		a.fail(w, err)
		return
	}
	var op store.Operation
	err = a.cfg.Store.Update(func(tx *store.Tx) error {
		s, err := serverFor(tx, server)
		if err != nil {
			return err
		}
		if err := checkIdle(tx, s); err != nil {
			return err
		}
		if s.Phase == store.PhaseProvisioning || s.Phase == store.PhaseFailed {
			return conflictf("server %s is %s", server, s.Phase)
		}
		if err := check(tx, s); err != nil {
			return err
		}
		op = a.cfg.Ops.NewOperation(kind, resourceID, server, body)
		if exclusive {
			return tx.HoldServer(s, op, store.PhaseUpdating)
		}
		return tx.PutOperation(op)
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	a.cfg.Ops.Launch(op)
	accepted(w, op)
}
