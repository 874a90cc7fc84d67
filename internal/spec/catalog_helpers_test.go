package spec

// Catalog listings only the tests read.

// Tiers returns the compute tiers.
func Tiers() []Tier { return []Tier{TierBurstable, TierGeneralPurpose, TierMemoryOptimized} }

// TierNames returns the compute tiers as strings.
func TierNames() []string {
	out := make([]string, 0, 3)
	for _, t := range Tiers() {
		out = append(out, string(t))
	}
	return out
}

// SKUs returns the catalog SKUs: Burstable, then GeneralPurpose, then MemoryOptimized.
func SKUs() []SKU { return append([]SKU(nil), skus...) }

// Regions returns the catalog regions in table order. The result is a copy; callers may modify it.
func Regions() []Region {
	out := make([]Region, len(regions))
	for i, r := range regions {
		r.Zones = append([]string(nil), r.Zones...)
		out[i] = r
	}
	return out
}

// ParameterTypes returns every parameter type.
func ParameterTypes() []ParameterType {
	return []ParameterType{ParameterTypeBoolean, ParameterTypeInteger, ParameterTypeNumeric,
		ParameterTypeEnumeration, ParameterTypeString, ParameterTypeSet}
}

// ParameterNames returns the catalog's parameter names in catalog order.
func ParameterNames() []string {
	out := make([]string, len(catalog))
	for i, p := range catalog {
		out[i] = p.Name
	}
	return out
}
