package api

import (
	"net/http"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// presentConfiguration shows a parameter in the service's shape. values are the server's parameter values
// (controller.ParameterInput), which is what the cloud renders: the override if any (in canonical spelling),
// else the default derived for this server, and the fixed value of a read-only parameter.
func (a *API) presentConfiguration(s store.Server, p spec.Parameter, values map[string]string, override *store.Configuration) model.Configuration {
	sku, _ := spec.LookupSKU(s.Spec.SKUName)
	def := spec.ParameterDefault(p.Name, sku, spec.ScaledCompute(sku, a.cfg.Scale), s.Spec.StorageMB)
	c := model.Configuration{
		ID: spec.ConfigurationID(s.Spec.Name, p.Name), Name: p.Name, Value: values[p.Name], DefaultValue: def,
		Source: "system-default", DataType: string(p.Type), AllowedValues: p.AllowedValuesString(), Unit: p.Unit,
		Description: p.Description, IsDynamicConfig: p.Dynamic, IsReadOnly: p.ReadOnly,
	}
	if override != nil {
		c.Source, c.IsConfigPendingRestart = "user-override", override.Pending
	}
	return c
}

// parameterValues are the server's parameter values with its stored overrides.
func (a *API) parameterValues(tx *store.Tx, s store.Server) (map[string]string, []store.Configuration, error) {
	overrides, err := tx.ListConfigurations(s.Spec.Name)
	if err != nil {
		return nil, nil, err
	}
	return spec.ParameterValues(controller.ParameterInput(s, overrides, a.cfg.Scale)), overrides, nil
}

func (a *API) listConfigurations(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.Configuration, error) {
		s, err := serverFor(tx, r.PathValue("server"))
		if err != nil {
			return nil, err
		}
		values, overrides, err := a.parameterValues(tx, s)
		if err != nil {
			return nil, err
		}
		byName := map[string]*store.Configuration{}
		for i := range overrides {
			byName[overrides[i].Name] = &overrides[i]
		}
		var out []model.Configuration
		for _, p := range spec.Parameters() {
			out = append(out, a.presentConfiguration(s, p, values, byName[p.Name]))
		}
		return out, nil
	})
}

func (a *API) getConfiguration(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	readOne(a, w, func(tx *store.Tx) (model.Configuration, error) {
		s, err := serverFor(tx, server)
		if err != nil {
			return model.Configuration{}, err
		}
		p, ok := spec.LookupParameter(name)
		if !ok {
			return model.Configuration{}, missing("%s is not a server parameter of this service", name)
		}
		values, overrides, err := a.parameterValues(tx, s)
		if err != nil {
			return model.Configuration{}, err
		}
		var override *store.Configuration
		for i := range overrides {
			if overrides[i].Name == p.Name {
				override = &overrides[i]
			}
		}
		return a.presentConfiguration(s, p, values, override), nil
	})
}

// putConfiguration sets a parameter. It holds the server (a static parameter restarts it).
func (a *API) putConfiguration(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	var req model.Configuration
	if !decode(w, r, &req) {
		return
	}
	if req.Source != "" && !strings.EqualFold(req.Source, "user-override") {
		invalidField(w, "source", "source must be user-override (use DELETE to restore the default)")
		return
	}
	var errs spec.FieldErrors
	if fe := spec.ValidateParameterName(name); fe != nil {
		errs.Add(fe)
	} else {
		errs.Add(spec.ValidateParameterValue(name, req.Value))
	}
	if len(errs) > 0 {
		invalid(w, errs)
		return
	}
	// The canonical spelling is what the cloud stores, writes into postgresql.conf and reports: the server
	// runs what the API says (PG_STAT_STATEMENTS would name no file; pg_stat_statements does).
	value := spec.NormalizeParameterValue(name, req.Value)
	a.serverOperation(w, server, controller.KindConfigurationPut, spec.ConfigurationID(server, name),
		controller.ConfigurationPayload{Name: name, Value: value}, true, combinationCheck(a, name, value))
}

// combinationCheck refuses a value that is valid alone but breaks a rule spanning parameters once combined
// with the server's other values.
func combinationCheck(a *API, name, value string) func(*store.Tx, store.Server) error {
	return func(tx *store.Tx, s store.Server) error {
		overrides, err := tx.ListConfigurations(s.Spec.Name)
		if err != nil {
			return err
		}
		in := controller.ParameterInput(s, overrides, a.cfg.Scale)
		in.Overrides[name] = value
		values := spec.ParameterValues(in)
		var errs spec.FieldErrors
		errs.Add(spec.ValidateParameterCombination(values))
		if len(errs) > 0 {
			return errs
		}
		return a.recoveryCheck(tx, s, values)
	}
}

// resetCheck refuses a reset to a default that breaks a rule between a replica and its primary.
func resetCheck(a *API, name string) func(*store.Tx, store.Server) error {
	return func(tx *store.Tx, s store.Server) error {
		overrides, err := tx.ListConfigurations(s.Spec.Name)
		if err != nil {
			return err
		}
		in := controller.ParameterInput(s, overrides, a.cfg.Scale)
		delete(in.Overrides, name)
		return a.recoveryCheck(tx, s, spec.ParameterValues(in))
	}
}

// recoveryCheck applies seed 004's rule to a change of s's parameters to values: on a replica, the recovery
// parameters stay at least its primary's; on a primary, at most each replica's.
func (a *API) recoveryCheck(tx *store.Tx, s store.Server, values map[string]string) error {
	var errs spec.FieldErrors
	if s.IsReplica() {
		up, err := tx.GetServer(s.Replication.Upstream)
		if err != nil {
			return err
		}
		upValues, _, err := a.parameterValues(tx, up)
		if err != nil {
			return err
		}
		errs.AddAll(spec.RecoveryParameterViolations(upValues, values, s.Spec.Name, false))
	}
	replicas, err := tx.ReplicasOf(s.Spec.Name)
	if err != nil {
		return err
	}
	for _, r := range replicas {
		rValues, _, err := a.parameterValues(tx, r)
		if err != nil {
			return err
		}
		errs.AddAll(spec.RecoveryParameterViolations(values, rValues, r.Spec.Name, true))
	}
	return errs.Err()
}

// resetConfiguration restores a parameter's default.
func (a *API) resetConfiguration(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	p, ok := spec.LookupParameter(name)
	if !ok {
		notFound(w, "%s is not a server parameter of this service", name)
		return
	}
	a.serverOperation(w, server, controller.KindConfigurationPut, spec.ConfigurationID(server, p.Name),
		controller.ConfigurationPayload{Name: p.Name, Reset: true}, true, resetCheck(a, p.Name))
}
