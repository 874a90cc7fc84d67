package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// presentConfiguration shows a parameter in the service's shape: the override if any, else the default
// derived for this server.
func (a *API) presentConfiguration(s store.Server, p spec.Parameter, override *store.Configuration) model.Configuration {
	sku, _ := spec.LookupSKU(s.Spec.SKUName)
	def := spec.ParameterDefault(p.Name, sku, spec.ScaledCompute(sku, a.cfg.Scale), s.Spec.StorageMB)
	c := model.Configuration{
		ID: spec.ConfigurationID(s.Spec.Name, p.Name), Name: p.Name, Value: def, DefaultValue: def,
		Source: "system-default", DataType: string(p.Type), AllowedValues: p.AllowedValuesString(), Unit: p.Unit,
		Description: p.Description, IsDynamicConfig: p.Dynamic, IsReadOnly: p.ReadOnly,
	}
	if override != nil {
		c.Value, c.Source, c.IsConfigPendingRestart = override.Value, "user-override", override.Pending
	}
	return c
}

func (a *API) listConfigurations(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.Configuration, error) {
		s, err := serverFor(tx, r.PathValue("server"))
		if err != nil {
			return nil, err
		}
		overrides, err := tx.ListConfigurations(s.Spec.Name)
		if err != nil {
			return nil, err
		}
		byName := map[string]*store.Configuration{}
		for i := range overrides {
			byName[overrides[i].Name] = &overrides[i]
		}
		var out []model.Configuration
		for _, p := range spec.Parameters() {
			out = append(out, a.presentConfiguration(s, p, byName[p.Name]))
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
		var override *store.Configuration
		if o, err := tx.GetConfiguration(server, p.Name); err == nil {
			override = &o
		} else if !errors.Is(err, store.ErrNotFound) {
			return model.Configuration{}, err
		}
		return a.presentConfiguration(s, p, override), nil
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
	p, _ := spec.LookupParameter(name)
	a.serverOperation(w, server, controller.KindConfigurationPut, spec.ConfigurationID(server, p.Name),
		controller.ConfigurationPayload{Name: p.Name, Value: req.Value}, true, noCheck)
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
		controller.ConfigurationPayload{Name: p.Name, Reset: true}, true, noCheck)
}

func noCheck(*store.Tx, store.Server) error { return nil }
