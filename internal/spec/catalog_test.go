package spec

import (
	"slices"
	"testing"
)

func TestRegions(t *testing.T) {
	regions := Regions()
	if len(regions) != 27 {
		t.Fatalf("regions = %d, want 27 (seed 000)", len(regions))
	}
	zr := 0
	seen := map[string]bool{}
	for _, r := range regions {
		if seen[r.Name] {
			t.Errorf("duplicate region %s", r.Name)
		}
		seen[r.Name] = true
		want := []string{"1"}
		if r.ZoneRedundantHA {
			zr++
			want = []string{"1", "2", "3"}
		}
		if !slices.Equal(r.Zones, want) {
			t.Errorf("%s zones = %v, want %v", r.Name, r.Zones, want)
		}
	}
	if zr != 14 {
		t.Errorf("zone-redundant regions = %d, want 14", zr)
	}
	cases := []struct {
		name string
		ok   bool
		zr   bool
	}{
		{"eastus2", true, true}, {"westus", true, false}, {"westus2", true, true},
		{"southafricanorth", true, false}, {"uksouth", true, true},
		{"EastUS2", false, false}, {"East US 2", false, false}, {"", false, false}, {"mars", false, false},
	}
	for _, c := range cases {
		r, ok := LookupRegion(c.name)
		if ok != c.ok || r.ZoneRedundantHA != c.zr {
			t.Errorf("LookupRegion(%q) = %+v, %v; want ok=%v zr=%v", c.name, r, ok, c.ok, c.zr)
		}
	}
	if r, _ := LookupRegion("eastus2"); r.DisplayName != "East US 2" {
		t.Errorf("eastus2 display name = %q", r.DisplayName)
	}
	names := RegionNames()
	names[0] = "changed"
	if RegionNames()[0] == "changed" {
		t.Error("RegionNames exposes internal state")
	}
}

func TestSKUs(t *testing.T) {
	cases := []struct {
		name   string
		tier   Tier
		vcores int
		memGiB int64
	}{
		{"B_Standard_B1ms", TierBurstable, 1, 2},
		{"B_Standard_B2s", TierBurstable, 2, 4},
		{"B_Standard_B2ms", TierBurstable, 2, 8},
		{"B_Standard_B20ms", TierBurstable, 20, 80},
		{"GP_Standard_D2s_v3", TierGeneralPurpose, 2, 8},
		{"GP_Standard_D64ds_v4", TierGeneralPurpose, 64, 256},
		{"GP_Standard_D96ds_v5", TierGeneralPurpose, 96, 384},
		{"GP_Standard_D96ads_v5", TierGeneralPurpose, 96, 384},
		{"MO_Standard_E4s_v3", TierMemoryOptimized, 4, 32},
		{"MO_Standard_E6ds_v4", TierMemoryOptimized, 6, 48},
		{"MO_Standard_E20ds_v5", TierMemoryOptimized, 20, 160},
		{"MO_Standard_E64s_v3", TierMemoryOptimized, 64, 432},
		{"MO_Standard_E96ds_v5", TierMemoryOptimized, 96, 672},
	}
	for _, c := range cases {
		s, ok := LookupSKU(c.name)
		if !ok || s.Tier != c.tier || s.VCores != c.vcores || s.MemoryMiB != c.memGiB*1024 {
			t.Errorf("LookupSKU(%s) = %+v, %v; want %s %d vCores %d GiB", c.name, s, ok, c.tier, c.vcores, c.memGiB)
		}
	}
	for _, name := range []string{"GP_Standard_D96s_v3", "MO_Standard_E6s_v3", "MO_Standard_E20ads_v5",
		"GP_Standard_DC2ads_v5", "GP_Standard_D2ds_v6", "gp_standard_d2s_v3", "Standard_D2s_v3", ""} {
		if _, ok := LookupSKU(name); ok {
			t.Errorf("LookupSKU(%q) found a SKU outside the catalog", name)
		}
	}
	if n := len(SKUNames()); n != 72 {
		t.Errorf("catalog has %d SKUs, want 72 (8 B + 30 GP + 34 MO)", n)
	}
	seen := map[string]bool{}
	for _, s := range SKUs() {
		if seen[s.Name] {
			t.Errorf("duplicate SKU %s", s.Name)
		}
		seen[s.Name] = true
	}
	if !slices.Equal(TierNames(), []string{"Burstable", "GeneralPurpose", "MemoryOptimized"}) {
		t.Errorf("TierNames = %v", TierNames())
	}
}

func TestStorageTable(t *testing.T) {
	if got := len(StorageSizesMB()); got != 12 {
		t.Fatalf("storage sizes = %d, want 12", got)
	}
	cases := []struct {
		mb      int64
		def     string
		allowed []string
	}{
		{32768, "P4", []string{"P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50"}},
		{65536, "P6", []string{"P6", "P10", "P15", "P20", "P30", "P40", "P50"}},
		{524288, "P20", []string{"P20", "P30", "P40", "P50"}},
		{1048576, "P30", []string{"P30", "P40", "P50"}},
		{2097152, "P40", []string{"P40", "P50"}},
		{4193280, "P50", []string{"P50"}},
		{4194304, "P50", []string{"P50"}},
		{8388608, "P60", []string{"P60", "P70", "P80"}},
		{16777216, "P70", []string{"P70", "P80"}},
		{33553408, "P80", []string{"P80"}},
	}
	for _, c := range cases {
		def, ok := DefaultStorageTier(c.mb)
		if !ok || def != c.def {
			t.Errorf("DefaultStorageTier(%d) = %q, %v; want %s", c.mb, def, ok, c.def)
		}
		if got := StorageTiersFor(c.mb); !slices.Equal(got, c.allowed) {
			t.Errorf("StorageTiersFor(%d) = %v, want %v", c.mb, got, c.allowed)
		}
	}
	if _, ok := DefaultStorageTier(1000); ok || StorageTiersFor(1000) != nil {
		t.Error("an unknown size must have no tiers")
	}
	next := []struct {
		mb, want int64
		ok       bool
	}{
		{32768, 65536, true}, {65536, 131072, true}, {2097152, 4193280, true},
		{4193280, 8388608, true}, {4194304, 8388608, true}, {16777216, 33553408, true},
		{33553408, 0, false}, {40000, 65536, true}, {1024, 32768, true},
	}
	for _, c := range next {
		got, ok := NextStorageSize(c.mb)
		if got != c.want || ok != c.ok {
			t.Errorf("NextStorageSize(%d) = %d, %v; want %d, %v", c.mb, got, ok, c.want, c.ok)
		}
	}
}

func TestEnumsAndConstants(t *testing.T) {
	checks := []struct {
		name string
		got  []string
		want []string
	}{
		{"Versions", Versions(), []string{"15", "17"}},
		{"HAModes", HAModes(), []string{"ZoneRedundant", "SameZone"}},
		{"DesiredStates", DesiredStates(), []string{"Ready", "Stopped"}},
		{"CreateModes", CreateModes(), []string{"Default", "PointInTimeRestore", "GeoRestore"}},
	}
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if DefaultVersion != "17" || ImageMajor("") != "17" || ImageMajor("15") != "15" || ImageMajor("17.2") != "17" {
		t.Error("version defaults or ImageMajor wrong")
	}
	if ServerFQDN("pg1") != "pg1.postgres.flexpg.internal" {
		t.Errorf("ServerFQDN = %s", ServerFQDN("pg1"))
	}
	if MarkdownList(HAModes()) != "`ZoneRedundant`, `SameZone`" || MarkdownInts([]int64{1, 2}) != "`1`, `2`" {
		t.Error("markdown rendering wrong")
	}
}
