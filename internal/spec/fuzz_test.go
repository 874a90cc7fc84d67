package spec

import (
	"strings"
	"testing"
)

// containsRefused reports whether s holds a byte no name or value may contain.
func containsRefused(s string) bool {
	return hasControl(s)
}

func FuzzValidateParameterValue(f *testing.F) {
	f.Add(0, "TLSv1.2")
	f.Add(5, "100")
	f.Add(9, "pg_trgm,hstore")
	f.Add(3, "on\n")
	f.Add(7, "x\x00y")
	f.Fuzz(func(t *testing.T, index int, value string) {
		names := ParameterNames()
		if index < 0 {
			index = -index
		}
		name := names[index%len(names)]
		err := ValidateParameterValue(name, value) // must not panic
		if err != nil && !strings.HasPrefix(err.Message, err.Field+" ") {
			t.Fatalf("message %q does not name field %q", err.Message, err.Field)
		}
		if (containsRefused(value) || strings.ContainsAny(value, `'\`)) && err == nil {
			t.Fatalf("%s accepted a value with a refused character: %q", name, value)
		}
		if err == nil {
			if n := NormalizeParameterValue(name, value); ValidateParameterValue(name, n) != nil {
				t.Fatalf("normalized value %q of %q is invalid for %s", n, value, name)
			}
		}
	})
}

func FuzzValidateServerName(f *testing.F) {
	for _, s := range []string{"pg1", "my-server", "-x-", "Ab", "a\nb", "\x00\x00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateServerName(name)
		if containsRefused(name) && err == nil {
			t.Fatalf("accepted a name with a control character: %q", name)
		}
		if err == nil {
			if _, perr := ParseServerID(ServerID(name)); perr != nil {
				t.Fatalf("valid name %q does not round-trip through its ID: %v", name, perr)
			}
		}
	})
}

func FuzzValidateFirewallRange(f *testing.F) {
	f.Add("10.0.0.1", "10.0.0.6")
	f.Add("0.0.0.0", "255.255.255.255")
	f.Add("::1", "::2")
	f.Add("10.0.0.1\n", "10.0.0.2")
	f.Fuzz(func(t *testing.T, start, end string) {
		errs := ValidateFirewallRange(start, end)
		if (containsRefused(start) || containsRefused(end)) && len(errs) == 0 {
			t.Fatalf("accepted a range with a control character: %q–%q", start, end)
		}
		prefixes, err := IPv4RangeToPrefixes(start, end)
		if (err == nil) != (len(errs) == 0) {
			t.Fatalf("IPv4RangeToPrefixes and ValidateFirewallRange disagree on %q–%q: %v / %v", start, end, err, errs)
		}
		if err == nil {
			checkCover(t, start, end, prefixes)
			if len(prefixes) > 62 {
				t.Fatalf("%d prefixes is not minimal for an IPv4 range", len(prefixes))
			}
		}
	})
}
