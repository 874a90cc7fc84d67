package spec

import (
	"errors"
	"testing"
)

func TestFieldErrors(t *testing.T) {
	var errs FieldErrors
	errs.Add(nil)
	if errs.Err() != nil || len(errs) != 0 {
		t.Fatalf("empty collection: Err() = %v, len %d", errs.Err(), len(errs))
	}
	a := NewFieldError("storage_mb", "allowed_sizes", "must be valid")
	b := NewFieldError("maintenance_window.start_hour", "range", "must be in range")
	errs.Add(a)
	errs.Add(nil)
	errs.Add(b)
	if len(errs) != 2 {
		t.Fatalf("len = %d, want 2", len(errs))
	}
	err := errs.Err()
	if err == nil {
		t.Fatal("Err() = nil for a non-empty collection")
	}
	want := "storage_mb must be valid; maintenance_window.start_hour must be in range"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe != a {
		t.Errorf("errors.As did not find the first field error")
	}
	if a.Rule != "storage_mb.allowed_sizes" || a.Field != "storage_mb" {
		t.Errorf("rule/field = %q/%q", a.Rule, a.Field)
	}
	if got := errs.Without("maintenance_window"); len(got) != 1 || got[0] != a {
		t.Errorf("Without(maintenance_window) = %v, want only storage_mb", got)
	}
	if got := errs.Without("storage"); len(got) != 2 {
		t.Errorf("Without(storage) must not match storage_mb by prefix; got %v", got)
	}
}
