package spec

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// parameterNamePattern is the service's grammar of configuration names.
var parameterNamePattern = regexp.MustCompile(`^[-\w.]+$`)

// ValidateParameterName checks that name is a server parameter of the catalog (field "name").
func ValidateParameterName(name string) *FieldError {
	if _, ok := LookupParameter(name); ok {
		return nil
	}
	if hasControl(name) || !parameterNamePattern.MatchString(name) {
		return NewFieldError("name", KindFormat,
			"must be a server parameter name made of letters, digits, underscores, hyphens and periods; got %s", quote(name))
	}
	for _, p := range catalog {
		if strings.EqualFold(p.Name, name) {
			return NewFieldError("name", KindUnknown, "%s is not a server parameter of this service; did you mean %s? (names are case-sensitive)",
				quote(name), p.Name)
		}
	}
	return NewFieldError("name", KindUnknown, "%s is not a server parameter of this service", quote(name))
}

// The accepted boolean spellings (case-insensitive). PostgreSQL also takes yes/no, 1/0 and prefixes; the
// service takes these four, and the cloud writes a boolean's canonical spelling (Parameter.Allowed) anyway.
var (
	booleanTrue  = []string{"on", "true"}
	booleanFalse = []string{"off", "false"}
)

// ParameterIsOn reports whether a boolean parameter value is true, in any accepted spelling.
func ParameterIsOn(value string) bool { return containsFold(booleanTrue, value) }

// floatPattern is a plain decimal number; Go's ParseFloat would also take hex, Inf and NaN.
var floatPattern = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// ValidateParameterValue checks a value for parameter name (field "value"; an unknown name is reported on
// field "name"). Values never contain control characters, single quotes or backslashes, because the cloud
// writes them into postgresql.conf.
func ValidateParameterValue(name, value string) *FieldError {
	p, ok := LookupParameter(name)
	if !ok {
		return ValidateParameterName(name)
	}
	if p.ReadOnly {
		return NewFieldError("value", KindReadOnly, "cannot be set: %s is read-only on this service (it stays %s)",
			p.Name, quote(p.Default))
	}
	if hasControl(value) || strings.ContainsAny(value, `'\`) {
		return NewFieldError("value", KindCharacters,
			"for %s must not contain control characters (such as newline or NUL), single quotes or backslashes; got %s",
			p.Name, quote(value))
	}
	return validateTypedValue(p, value)
}

func validateTypedValue(p Parameter, value string) *FieldError {
	switch p.Type {
	case ParameterTypeBoolean:
		if !containsFold(booleanTrue, value) && !containsFold(booleanFalse, value) {
			return valueError(p, value, "must be one of on, off, true, false (case-insensitive)")
		}
	case ParameterTypeInteger:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < p.Min || n > p.Max {
			return valueError(p, value, "must be an integer between "+strconv.FormatInt(p.Min, 10)+" and "+
				strconv.FormatInt(p.Max, 10)+unitSuffix(p))
		}
	case ParameterTypeNumeric:
		f, err := strconv.ParseFloat(value, 64)
		if !floatPattern.MatchString(value) || err != nil || math.IsInf(f, 0) || f < float64(p.Min) || f > float64(p.Max) {
			return valueError(p, value, "must be a number between "+strconv.FormatInt(p.Min, 10)+" and "+
				strconv.FormatInt(p.Max, 10))
		}
	case ParameterTypeEnumeration:
		if !inList(value, p.Allowed) {
			return valueError(p, value, "must be one of "+joinValues(p.Allowed)+" (case-sensitive)")
		}
	case ParameterTypeSet:
		return validateSetValue(p, value)
	case ParameterTypeString:
		if re := patterns[p.Name]; re != nil && !re.MatchString(value) {
			return valueError(p, value, "must match the pattern "+p.Pattern)
		}
	}
	return nil
}

// validateSetValue checks a comma-separated subset of p.Allowed: members match case-insensitively, spaces
// around commas are ignored, empty members and duplicates are refused. An empty value is the empty set.
func validateSetValue(p Parameter, value string) *FieldError {
	if strings.TrimSpace(value) == "" {
		return nil
	}
	seen := map[string]bool{}
	for _, item := range strings.Split(value, ",") {
		member, ok := canonicalMember(p.Allowed, strings.TrimSpace(item))
		switch {
		case !ok:
			return valueError(p, value, "must be a comma-separated list of "+joinValues(p.Allowed)+
				"; "+quote(strings.TrimSpace(item))+" is not one of them")
		case seen[member]:
			return valueError(p, value, "must not list "+member+" twice")
		}
		seen[member] = true
	}
	return nil
}

// NormalizeParameterValue returns the canonical spelling of a valid value: booleans in the parameter's own
// spelling (on/off, or true/false for pgbouncer.enabled), integers in plain decimal ("+0100" is 100, never
// octal as PostgreSQL would read "0100"), numbers in shortest form, set members in catalog spelling joined by
// ",". Other values, and invalid ones, are returned unchanged. The API stores, writes and reports this
// spelling, so what it says is what the server runs; the provider compares values with ParameterValuesEqual.
func NormalizeParameterValue(name, value string) string {
	p, ok := LookupParameter(name)
	if !ok || ValidateParameterValue(name, value) != nil {
		return value
	}
	return canonicalValue(p, value)
}

// canonicalValue is NormalizeParameterValue for a value already valid for p.
func canonicalValue(p Parameter, value string) string {
	switch p.Type {
	case ParameterTypeBoolean:
		if ParameterIsOn(value) {
			return p.Allowed[0]
		}
		return p.Allowed[1]
	case ParameterTypeInteger:
		n, _ := strconv.ParseInt(value, 10, 64)
		return strconv.FormatInt(n, 10)
	case ParameterTypeNumeric:
		f, _ := strconv.ParseFloat(value, 64)
		return strconv.FormatFloat(f, 'g', -1, 64)
	case ParameterTypeSet:
		return normalizeSet(p, value)
	}
	return value
}

// ParameterValuesEqual reports whether two values of a parameter mean the same setting: equal once
// normalised, so "TRUE" equals "on" and "0100" equals "100". Invalid values equal only themselves.
func ParameterValuesEqual(name, a, b string) bool {
	return a == b || NormalizeParameterValue(name, a) == NormalizeParameterValue(name, b)
}

func normalizeSet(p Parameter, value string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	var members []string
	for _, item := range strings.Split(value, ",") {
		m, _ := canonicalMember(p.Allowed, strings.TrimSpace(item))
		members = append(members, m)
	}
	return strings.Join(members, ",")
}

func canonicalMember(allowed []string, item string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(a, item) {
			return a, true
		}
	}
	return "", false
}

func containsFold(values []string, v string) bool {
	_, ok := canonicalMember(values, v)
	return ok
}

func unitSuffix(p Parameter) string {
	if p.Unit == "" {
		return ""
	}
	return " (" + p.Unit + ", without a unit suffix)"
}

func valueError(p Parameter, value, rule string) *FieldError {
	return NewFieldError("value", KindAllowedValues, "for %s %s; got %s", p.Name, rule, quote(value))
}
