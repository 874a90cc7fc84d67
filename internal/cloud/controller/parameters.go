package controller

import (
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// parameterContext is what SKU-derived parameter defaults depend on.
type parameterContext struct {
	sku       spec.SKU
	compute   spec.Compute
	storageMB int64
}

func (c *Controller) parameterContext(s store.Server) parameterContext {
	sku, _ := spec.LookupSKU(s.Spec.SKUName)
	return parameterContext{sku: sku, compute: spec.ScaledCompute(sku, c.cfg.Scale), storageMB: s.Spec.StorageMB}
}

// effectiveParameters returns the value of every settable parameter: the user's override, or the default
// the service derives for this server.
func (c *Controller) effectiveParameters(s store.Server, overrides []store.Configuration) map[string]string {
	pc := c.parameterContext(s)
	values := map[string]string{}
	for _, p := range spec.Parameters() {
		if p.ReadOnly {
			continue
		}
		values[p.Name] = spec.ParameterDefault(p.Name, pc.sku, pc.compute, pc.storageMB)
	}
	for _, o := range overrides {
		values[o.Name] = o.Value
	}
	if s.ReadOnly {
		// The storage guard's switch, as the service does it: new transactions are read-only.
		values["default_transaction_read_only"] = "on"
	}
	return values
}

// engineParameters keeps the values PostgreSQL itself reads; service knobs such as
// require_secure_transport are enforced elsewhere (pg_hba, the gateway).
func engineParameters(values map[string]string) map[string]string {
	out := map[string]string{}
	for name, v := range values {
		if v == "" || !postgres.IsEngineParameter(name) {
			continue
		}
		out[name] = v
	}
	return out
}

func requireSecureTransport(values map[string]string) bool {
	v := strings.ToLower(values["require_secure_transport"])
	return v != "off" && v != "false"
}
