package spec

// ServerPort is the TCP port PostgreSQL listens on inside every server (the catalog's read-only port).
const ServerPort = 5432

// Names of parameters the cloud itself acts on.
const (
	// ParamRequireSecureTransport is the service knob the cloud enforces in pg_hba.conf and at the host endpoint.
	ParamRequireSecureTransport = "require_secure_transport"
	// ParamDefaultTransactionReadOnly is the storage guard's switch: on while the disk is full.
	ParamDefaultTransactionReadOnly = "default_transaction_read_only"
	ParamSSLMinProtocolVersion      = "ssl_min_protocol_version"
	ParamSSLMaxProtocolVersion      = "ssl_max_protocol_version"
)

// ParameterInput is what the parameter values of one server depend on.
type ParameterInput struct {
	SKU       SKU
	Compute   Compute // the scaled container the server runs in
	StorageMB int64
	// Overrides are the user's values by parameter name (the stored configuration overrides).
	Overrides map[string]string
	// StorageReadOnly is set while the storage guard holds the server read-only (disk full, no auto-grow).
	StorageReadOnly bool
}

// ParameterValues returns the value of every catalog parameter of a server, keyed by catalog name and in
// canonical spelling: a read-only parameter's fixed value, else the user's override, else the default (the
// SKU- and disk-derived one for derived parameters). While the storage is full default_transaction_read_only
// is on whatever the user set, as the service does. The API reports these values and the cloud renders
// them, so what a user reads is what the server runs.
func ParameterValues(in ParameterInput) map[string]string {
	derivedValues := DerivedParameters(in.SKU, in.Compute, in.StorageMB)
	out := make(map[string]string, len(catalog))
	for _, p := range catalog {
		v := p.Default
		if p.Derived {
			v = derivedValues[p.Name]
		}
		if o, ok := in.Overrides[p.Name]; ok && !p.ReadOnly {
			// Stored values are canonical already; normalising again keeps values stored by older builds
			// (which kept the user's spelling) from reaching postgresql.conf as written.
			v = NormalizeParameterValue(p.Name, o)
		}
		out[p.Name] = v
	}
	if in.StorageReadOnly {
		out[ParamDefaultTransactionReadOnly] = "on"
	}
	return out
}

// EngineParameterValues keeps the PostgreSQL settings of values (as ParameterValues returns them): the
// entries that are not service knobs, which is what postgresql.conf holds.
func EngineParameterValues(values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for _, p := range catalog {
		if v, ok := values[p.Name]; ok && !p.Service {
			out[p.Name] = v
		}
	}
	return out
}

// IsEngineParameter reports whether name is a catalog entry that is a PostgreSQL setting (not a service knob).
func IsEngineParameter(name string) bool {
	p, ok := LookupParameter(name)
	return ok && !p.Service
}

// ValidateParameterCombination checks the rules that span parameters, on the values a server would run
// with (ParameterValues after a change). Each value may be valid alone and PostgreSQL still refuse the set:
// a minimum TLS version above the maximum makes it fail to start (and, on a reload, silently keep the old
// TLS settings), so the cloud refuses the change instead.
func ValidateParameterCombination(values map[string]string) *FieldError {
	lo, hi := values[ParamSSLMinProtocolVersion], values[ParamSSLMaxProtocolVersion]
	if hi == "" || tlsVersionRank(lo) <= tlsVersionRank(hi) {
		return nil
	}
	return NewFieldError("value", KindProtocolOrder,
		"makes %s (%s) higher than %s (%s); PostgreSQL refuses to start with that, so lower the minimum or raise the maximum first",
		ParamSSLMinProtocolVersion, lo, ParamSSLMaxProtocolVersion, hi)
}

// tlsVersionRank orders the TLS versions of the catalog; an unknown one ranks lowest.
func tlsVersionRank(v string) int {
	for i, t := range tlsVersions {
		if t == v {
			return i + 1
		}
	}
	return 0
}
