package spec

import (
	"fmt"
	"strings"
)

// Tier is a compute tier.
type Tier string

// Compute tiers.
const (
	TierBurstable       Tier = "Burstable"
	TierGeneralPurpose  Tier = "GeneralPurpose"
	TierMemoryOptimized Tier = "MemoryOptimized"
)

// tierPrefix is the sku_name prefix of each tier (azurerm splits sku_name at the first underscore).
var tierPrefix = map[Tier]string{TierBurstable: "B", TierGeneralPurpose: "GP", TierMemoryOptimized: "MO"}

// SKU is a compute size.
type SKU struct {
	// Name is the sku_name, "<tier prefix>_<Azure size name>", e.g. "GP_Standard_D2s_v3".
	Name      string
	Tier      Tier
	VCores    int
	MemoryMiB int64
}

const gib = 1024 // MiB per GiB

// Confidential (DC/EC) and v6 sizes are left out on purpose: they add nothing a local simulation can show.
var skus = buildSKUs()

func buildSKUs() []SKU {
	var out []SKU
	burstable := []struct {
		size   string
		vcores int
		memGiB int64
	}{
		{"B1ms", 1, 2}, {"B2s", 2, 4}, {"B2ms", 2, 8}, {"B4ms", 4, 16},
		{"B8ms", 8, 32}, {"B12ms", 12, 48}, {"B16ms", 16, 64}, {"B20ms", 20, 80},
	}
	for _, b := range burstable {
		out = append(out, newSKU(TierBurstable, b.size, b.vcores, b.memGiB*gib))
	}
	generalPurpose := []struct {
		suffix string
		cores  []int
	}{
		{"s_v3", []int{2, 4, 8, 16, 32, 48, 64}},
		{"ds_v4", []int{2, 4, 8, 16, 32, 48, 64}},
		{"ds_v5", []int{2, 4, 8, 16, 32, 48, 64, 96}},
		{"ads_v5", []int{2, 4, 8, 16, 32, 48, 64, 96}},
	}
	for _, f := range generalPurpose {
		for _, n := range f.cores {
			out = append(out, newSKU(TierGeneralPurpose, fmt.Sprintf("D%d%s", n, f.suffix), n, int64(n)*4*gib))
		}
	}
	memoryOptimized := []struct {
		suffix string
		cores  []int
	}{
		{"s_v3", []int{2, 4, 8, 16, 20, 32, 48, 64}},
		{"ds_v4", []int{2, 4, 6, 8, 16, 20, 32, 48, 64}},
		{"ds_v5", []int{2, 4, 8, 16, 20, 32, 48, 64, 96}},
		{"ads_v5", []int{2, 4, 8, 16, 32, 48, 64, 96}},
	}
	for _, f := range memoryOptimized {
		for _, n := range f.cores {
			out = append(out, newSKU(TierMemoryOptimized, fmt.Sprintf("E%d%s", n, f.suffix), n, memoryOptimizedMiB(n)))
		}
	}
	return out
}

func newSKU(tier Tier, size string, vcores int, memMiB int64) SKU {
	return SKU{Name: tierPrefix[tier] + "_Standard_" + size, Tier: tier, VCores: vcores, MemoryMiB: memMiB}
}

// memoryOptimizedMiB is 8 GiB per vCore, except the two largest sizes, which Azure caps lower.
func memoryOptimizedMiB(vcores int) int64 {
	switch vcores {
	case 64:
		return 432 * gib
	case 96:
		return 672 * gib
	}
	return int64(vcores) * 8 * gib
}

// SKUNames returns every sku_name of the catalog in catalog order.
func SKUNames() []string {
	out := make([]string, len(skus))
	for i, s := range skus {
		out[i] = s.Name
	}
	return out
}

// LookupSKU finds a SKU by its exact sku_name (case-sensitive, as azurerm's regex).
func LookupSKU(name string) (SKU, bool) {
	for _, s := range skus {
		if s.Name == name {
			return s, true
		}
	}
	return SKU{}, false
}

// skuExamples names one SKU per tier for error messages; the full list is too long for a sentence.
func skuExamples() string {
	return strings.Join([]string{"B_Standard_B1ms", "GP_Standard_D2s_v3", "MO_Standard_E4s_v3"}, ", ")
}
