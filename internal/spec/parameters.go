package spec

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ParameterType is the data type of a server parameter (the API's dataType).
type ParameterType string

// Parameter types. Numeric is a real number (e.g. random_page_cost); the service reports it as Numeric.
const (
	ParameterTypeBoolean     ParameterType = "boolean"
	ParameterTypeInteger     ParameterType = "integer"
	ParameterTypeNumeric     ParameterType = "numeric"
	ParameterTypeEnumeration ParameterType = "enumeration"
	ParameterTypeString      ParameterType = "string"
	ParameterTypeSet         ParameterType = "set"
)

// Parameter is one server parameter of the service's catalog.
type Parameter struct {
	Name        string
	Description string
	Type        ParameterType
	// Allowed lists the values of an enumeration or the members of a set; for a boolean it holds the two
	// canonical spellings, true first (on,off, or true,false for pgbouncer.enabled).
	Allowed []string
	// Min and Max bound integer and numeric values.
	Min, Max int64
	// Default is the provisioning value; for Derived parameters see ParameterDefault.
	Default string
	// Unit is the service's unit name (8KB, KB, megabytes, milliseconds, seconds) or empty.
	Unit string
	// Pattern is the service's regular expression for a string value (matched against the whole value).
	Pattern string
	// Dynamic parameters apply without a restart (to new connections); static ones need a restart.
	Dynamic bool
	// ReadOnly parameters cannot be set by users.
	ReadOnly bool
	// Derived parameters get their default from the SKU and the disk (DerivedParameters).
	Derived bool
	// Service marks a knob of the service rather than a PostgreSQL setting (azure.extensions, pgbouncer.*,
	// require_secure_transport): PostgreSQL has no such parameter, so the cloud acts on it itself and never
	// writes it into postgresql.conf. Every other entry is a PostgreSQL setting of the same name.
	Service bool
}

// AllowedValuesString renders the allowed values the way the service shows them: "25-5000", "on,off",
// "TLSv1.2,TLSv1.3", or the pattern of a string parameter.
func (p Parameter) AllowedValuesString() string {
	switch p.Type {
	case ParameterTypeInteger, ParameterTypeNumeric:
		return strconv.FormatInt(p.Min, 10) + "-" + strconv.FormatInt(p.Max, 10)
	case ParameterTypeBoolean, ParameterTypeEnumeration, ParameterTypeSet:
		return strings.Join(p.Allowed, ",")
	}
	return p.Pattern
}

// catalog is the parameter catalog sorted by name; patterns holds the compiled patterns by name.
var (
	catalog  = sortedCatalog()
	patterns = compilePatterns(catalog)
)

func sortedCatalog() []Parameter {
	out := parameterCatalog()
	sort.Slice(out, func(i, j int) bool { return parameterLess(out[i].Name, out[j].Name) })
	return out
}

// parameterLess sorts names case-insensitively (TimeZone next to track_commit_timestamp), as the service
// lists them.
func parameterLess(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a < b
}

func compilePatterns(params []Parameter) map[string]*regexp.Regexp {
	out := make(map[string]*regexp.Regexp)
	for _, p := range params {
		if p.Pattern != "" {
			out[p.Name] = regexp.MustCompile(`^(?:` + p.Pattern + `)$`)
		}
	}
	return out
}

// Parameters returns the catalog sorted by name (case-insensitively).
func Parameters() []Parameter {
	out := make([]Parameter, len(catalog))
	for i, p := range catalog {
		p.Allowed = append([]string(nil), p.Allowed...)
		out[i] = p
	}
	return out
}

// LookupParameter finds a parameter by its exact name (names are case-sensitive, e.g. TimeZone).
func LookupParameter(name string) (Parameter, bool) {
	for _, p := range catalog {
		if p.Name == name {
			p.Allowed = append([]string(nil), p.Allowed...)
			return p, true
		}
	}
	return Parameter{}, false
}

// ParameterDefault returns the value a parameter has on a new server of the given SKU, container and disk
// size; "" for an unknown parameter.
func ParameterDefault(name string, sku SKU, c Compute, storageMB int64) string {
	p, ok := LookupParameter(name)
	if !ok {
		return ""
	}
	if p.Derived {
		return DerivedParameters(sku, c, storageMB)[name]
	}
	return p.Default
}

// RestartRequired reports whether changing the parameter takes effect only after a server restart.
// Unknown parameters report false.
func RestartRequired(name string) bool {
	p, ok := LookupParameter(name)
	return ok && !p.Dynamic
}
