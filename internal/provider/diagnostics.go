package provider

import (
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// singleBlocks are the blocks of at most one element (flexpg_server's); a field inside one is addressed
// through its only element, high_availability[0].mode. The parity test holds this list to the schemas.
var singleBlocks = map[string]bool{"high_availability": true, "maintenance_window": true}

// attributePath turns a spec/API field path ("maintenance_window.start_hour") into a Terraform attribute
// path (maintenance_window[0].start_hour), so Terraform shows the diagnostic on that attribute's line.
func attributePath(field string) path.Path {
	parts := strings.Split(field, ".")
	p := path.Root(parts[0])
	if singleBlocks[parts[0]] && len(parts) > 1 {
		p = p.AtListIndex(0)
	}
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
