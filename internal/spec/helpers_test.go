package spec

import (
	"strings"
	"testing"
)

// checkRule asserts that err breaks exactly rule ("" means valid) and that its message names its field.
func checkRule(t *testing.T, label string, err *FieldError, rule string) {
	t.Helper()
	if rule == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %q (rule %s)", label, err.Message, err.Rule)
		}
		return
	}
	if err == nil {
		t.Errorf("%s: want rule %s, got no error", label, rule)
		return
	}
	if string(err.Rule) != rule {
		t.Errorf("%s: want rule %s, got %s (%q)", label, rule, err.Rule, err.Message)
	}
	checkNamesField(t, label, err)
}

// checkRules asserts that errs break exactly the given rules, in any order.
func checkRules(t *testing.T, label string, errs FieldErrors, rules ...string) {
	t.Helper()
	got := map[string]int{}
	for _, e := range errs {
		got[string(e.Rule)]++
		checkNamesField(t, label, e)
	}
	want := map[string]int{}
	for _, r := range rules {
		want[r]++
	}
	for r, n := range want {
		if got[r] != n {
			t.Errorf("%s: want rule %s %d time(s), got %d; all errors: %v", label, r, n, got[r], errs)
		}
	}
	for r := range got {
		if want[r] == 0 {
			t.Errorf("%s: unexpected rule %s; all errors: %v", label, r, errs)
		}
	}
}

func checkNamesField(t *testing.T, label string, e *FieldError) {
	t.Helper()
	if e.Field == "" || !strings.HasPrefix(e.Message, e.Field+" ") {
		t.Errorf("%s: message %q does not start with its field %q", label, e.Message, e.Field)
	}
	if !strings.HasPrefix(string(e.Rule), e.Field+".") {
		t.Errorf("%s: rule %q is not under field %q", label, e.Rule, e.Field)
	}
	if e.Error() != e.Message {
		t.Errorf("%s: Error() = %q, want the message", label, e.Error())
	}
}
