package spec

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one broken rule of one field.
type FieldError struct {
	// Field is the attribute path, with dots for nested blocks (e.g. "maintenance_window.start_hour").
	Field string
	// Rule identifies the rule (e.g. "storage_mb.allowed_sizes"); callers compare it with Rule(field, kind)
	// or its Kind.
	Rule RuleID
	// Message is a full sentence that names the field, the rule and the fix.
	Message string
}

func (e *FieldError) Error() string { return e.Message }

// NewFieldError builds a FieldError whose message always starts with the field path, so every message names
// its field; its Rule is Rule(field, kind). The cloud uses it for the rules that need its state.
func NewFieldError(field string, kind RuleKind, format string, args ...any) *FieldError {
	return &FieldError{
		Field:   field,
		Rule:    Rule(field, kind),
		Message: field + " " + fmt.Sprintf(format, args...),
	}
}

// FieldErrors collects every broken rule of a request, so a user sees all of them at once.
type FieldErrors []*FieldError

// Add appends e; a nil e (a passed check) is ignored.
func (fe *FieldErrors) Add(e *FieldError) {
	if e == nil {
		return
	}
	*fe = append(*fe, e)
}

// AddAll appends every error of other.
func (fe *FieldErrors) AddAll(other FieldErrors) {
	for _, e := range other {
		fe.Add(e)
	}
}

// Error joins the messages with "; ".
func (fe FieldErrors) Error() string {
	msgs := make([]string, 0, len(fe))
	for _, e := range fe {
		msgs = append(msgs, e.Message)
	}
	return strings.Join(msgs, "; ")
}

// Err returns the collection as an error, or nil when it is empty (avoids the typed-nil-interface trap).
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Unwrap exposes the individual errors to errors.As / errors.Is.
func (fe FieldErrors) Unwrap() []error {
	errs := make([]error, 0, len(fe))
	for _, e := range fe {
		errs = append(errs, e)
	}
	return errs
}

// Without returns the errors whose Field is none of fields (nor nested under one of them). A plan-time caller
// uses it to drop errors about attributes whose values are not known yet: ValidateServer treats a zero value
// as "not set", so an unknown required attribute would otherwise be reported as missing.
func (fe FieldErrors) Without(fields ...string) FieldErrors {
	var out FieldErrors
	for _, e := range fe {
		if !underAny(e.Field, fields) {
			out = append(out, e)
		}
	}
	return out
}

func underAny(field string, prefixes []string) bool {
	for _, p := range prefixes {
		if field == p || strings.HasPrefix(field, p+".") {
			return true
		}
	}
	return false
}

// ErrInvalidID is wrapped by every resource-ID parse error, so callers can classify with errors.Is.
var ErrInvalidID = errors.New("invalid resource ID")
