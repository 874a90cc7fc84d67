package controller

import (
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// ParameterInput is what the values of a server's parameters depend on, as the cloud runs it. The API uses
// it too, so what it reports is what the controller renders.
func ParameterInput(s store.Server, overrides []store.Configuration, scale spec.Scale) spec.ParameterInput {
	sku, _ := spec.LookupSKU(s.Spec.SKUName)
	in := spec.ParameterInput{SKU: sku, Compute: spec.ScaledCompute(sku, scale), StorageMB: s.Spec.StorageMB,
		Overrides: make(map[string]string, len(overrides)), StorageReadOnly: s.ReadOnly}
	for _, o := range overrides {
		in.Overrides[o.Name] = o.Value
	}
	return in
}

// parameterValues returns the value of every catalog parameter of the server (spec.ParameterValues).
func (c *Controller) parameterValues(s store.Server, overrides []store.Configuration) map[string]string {
	return spec.ParameterValues(ParameterInput(s, overrides, c.cfg.Scale))
}

func requireSecureTransport(values map[string]string) bool {
	return spec.ParameterIsOn(values[spec.ParamRequireSecureTransport])
}
