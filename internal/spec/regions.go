package spec

import "strings"

// Region is a catalog region (seed 000's table).
type Region struct {
	// Name is the ARM short name: the display name lowercased with spaces removed (e.g. "eastus2").
	Name        string
	DisplayName string
	// ZoneRedundantHA is true where the service offers zone-redundant high availability.
	ZoneRedundantHA bool
	// Zones are the availability zones a server (or its standby) may be placed in.
	Zones []string
}

// Decision: the seed's table only says which regions offer zone-redundant HA, not how many zones each has.
// Regions with zone-redundant HA get the three zones "1", "2", "3" (as Azure's zonal regions do); the others
// get the single zone "1", so a server there can still name its zone and SameZone HA still works.
var (
	multiZone  = []string{"1", "2", "3"}
	singleZone = []string{"1"}
)

// regionTable is seed 000's region table, verbatim: display name and whether zone-redundant HA is offered.
// The live service has moved on since (see reference/server-parameters.md §6); the simulation follows the seed.
var regionTable = []struct {
	display string
	zrHA    bool
}{
	{"Australia East", true},
	{"Australia Southeast", false},
	{"Brazil South", false},
	{"Canada Central", true},
	{"Central India", false},
	{"Central US", true},
	{"East Asia", false},
	{"East US", true},
	{"East US 2", true},
	{"France Central", true},
	{"Germany West Central", true},
	{"Japan East", true},
	{"Japan West", false},
	{"Korea Central", false},
	{"Korea South", false},
	{"North Europe", true},
	{"Norway East", false},
	{"South Africa North", false},
	{"South Central US", true},
	{"Southeast Asia", true},
	{"Switzerland North", false},
	{"UAE North", false},
	{"UK South", true},
	{"UK West", false},
	{"West Europe", true},
	{"West US", false},
	{"West US 2", true},
}

var regions = buildRegions()

func buildRegions() []Region {
	out := make([]Region, 0, len(regionTable))
	for _, r := range regionTable {
		zones := singleZone
		if r.zrHA {
			zones = multiZone
		}
		out = append(out, Region{
			Name:            strings.ToLower(strings.ReplaceAll(r.display, " ", "")),
			DisplayName:     r.display,
			ZoneRedundantHA: r.zrHA,
			Zones:           zones,
		})
	}
	return out
}

// RegionNames returns the short names of the catalog regions in table order.
func RegionNames() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = r.Name
	}
	return out
}

// LookupRegion finds a region by its exact short name. It is deliberately strict (no case folding, no
// display names) so that the value stored in state is always the canonical one and never drifts.
func LookupRegion(name string) (Region, bool) {
	for _, r := range regions {
		if r.Name == name {
			r.Zones = append([]string(nil), r.Zones...)
			return r, true
		}
	}
	return Region{}, false
}

// HasZone reports whether zone is one of the region's zones.
func (r Region) HasZone(zone string) bool {
	for _, z := range r.Zones {
		if z == zone {
			return true
		}
	}
	return false
}
