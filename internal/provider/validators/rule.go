// Package validators holds the provider's attribute validators. Each one is a thin wrapper around a
// single-field rule of internal/spec, so the plan-time check and the cloud's apply-time check are the same
// function, and the description text is built from the same constants and lists the rule uses.
package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// summary is the diagnostic summary of every rule violation; the detail is the rule's own message, which
// names the field, the rule and the fix.
const summary = "Invalid Attribute Value"

var (
	_ validator.String = stringRule{}
	_ validator.Int64  = int64Rule{}
)

// stringRule applies a spec check to a known, non-null string.
type stringRule struct {
	description string
	check       func(string) *spec.FieldError
}

func (r stringRule) Description(_ context.Context) string         { return r.description }
func (r stringRule) MarkdownDescription(_ context.Context) string { return r.description }

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	// Null means "not set" (defaults and required-ness are other checks); unknown is checked at apply time.
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if fe := r.check(req.ConfigValue.ValueString()); fe != nil {
		resp.Diagnostics.AddAttributeError(req.Path, summary, fe.Message)
	}
}

// int64Rule applies a spec check to a known, non-null number.
type int64Rule struct {
	description string
	check       func(int64) *spec.FieldError
}

func (r int64Rule) Description(_ context.Context) string         { return r.description }
func (r int64Rule) MarkdownDescription(_ context.Context) string { return r.description }

func (r int64Rule) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if fe := r.check(req.ConfigValue.ValueInt64()); fe != nil {
		resp.Diagnostics.AddAttributeError(req.Path, summary, fe.Message)
	}
}

// only returns the first error of errs about field, or nil. Some spec rules check several fields at once;
// an attribute validator reports just its own.
func only(errs spec.FieldErrors, field string) *spec.FieldError {
	for _, e := range errs {
		if e.Field == field {
			return e
		}
	}
	return nil
}
