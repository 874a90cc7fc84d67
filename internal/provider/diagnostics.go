package provider

import (
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// attributePath turns a spec/API field path ("maintenance_window.start_hour") into a Terraform attribute
// path. high_availability and maintenance_window are single nested attributes, so every segment is a name.
func attributePath(field string) path.Path {
	parts := strings.Split(field, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p
}

// addFieldErrors reports spec rule violations on the attributes they name.
func addFieldErrors(diags *diag.Diagnostics, errs spec.FieldErrors) {
	for _, e := range errs {
		diags.AddAttributeError(attributePath(e.Field), "Invalid Attribute Value", e.Message)
	}
}

// addAPIError reports a failed API call. When the cloud names the offending field (a validation error, or a
// failed operation whose error has a field) the diagnostic goes on that attribute, so Terraform points at
// the line of configuration to fix; otherwise it is a resource-level error. detail says what was attempted.
func addAPIError(diags *diag.Diagnostics, summary, detail string, err error) {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && (apiErr.Field != "" || len(apiErr.Details) > 0) {
		if apiErr.Field != "" {
			diags.AddAttributeError(attributePath(apiErr.Field), summary, detail+": "+apiErr.Message)
		}
		for _, d := range apiErr.Details {
			if d.Field == apiErr.Field && d.Message == apiErr.Message {
				continue
			}
			diags.AddAttributeError(attributePath(d.Field), summary, detail+": "+d.Message)
		}
		return
	}
	diags.AddError(summary, detail+".\n\nOriginal Error: "+err.Error())
}
