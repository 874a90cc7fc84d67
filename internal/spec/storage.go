package spec

import "slices"

// DefaultStorageMB is the storage size of a server that does not set storage_mb.
const DefaultStorageMB int64 = 32768

// storageTable maps each allowed storage size to its tiers, default (smallest) tier first. The tier names are
// Azure Premium SSD performance tiers; P1–P3 exist in the API enum but the service does not accept them.
var storageTable = []struct {
	mb    int64
	tiers []string
}{
	{32768, []string{"P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50"}},
	{65536, []string{"P6", "P10", "P15", "P20", "P30", "P40", "P50"}},
	{131072, []string{"P10", "P15", "P20", "P30", "P40", "P50"}},
	{262144, []string{"P15", "P20", "P30", "P40", "P50"}},
	{524288, []string{"P20", "P30", "P40", "P50"}},
	{1048576, []string{"P30", "P40", "P50"}},
	{2097152, []string{"P40", "P50"}},
	{4193280, []string{"P50"}},
	{4194304, []string{"P50"}},
	{8388608, []string{"P60", "P70", "P80"}},
	{16777216, []string{"P70", "P80"}},
	{33553408, []string{"P80"}},
}

// StorageSizesMB returns the allowed storage_mb values, smallest first.
func StorageSizesMB() []int64 {
	out := make([]int64, len(storageTable))
	for i, row := range storageTable {
		out[i] = row.mb
	}
	return out
}

// StorageTiers returns every performance tier, lowest first.
func StorageTiers() []string {
	return []string{"P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50", "P60", "P70", "P80"}
}

// StorageTiersFor returns the tiers allowed for a storage size, default first; nil for an unknown size.
func StorageTiersFor(mb int64) []string {
	for _, row := range storageTable {
		if row.mb == mb {
			return append([]string(nil), row.tiers...)
		}
	}
	return nil
}

// DefaultStorageTier returns the tier a size gets when storage_tier is not set.
func DefaultStorageTier(mb int64) (string, bool) {
	tiers := StorageTiersFor(mb)
	if len(tiers) == 0 {
		return "", false
	}
	return tiers[0], true
}

// storageTierRank orders tiers; -1 for an unknown tier.
func storageTierRank(tier string) int { return slices.Index(StorageTiers(), tier) }

// NextStorageSize is the size auto-grow moves a server to: the smallest catalog size above mb whose default
// tier is higher than the current one. The service "doubles to the next tier", so 4193280 MB (4 TiB minus
// 1 GiB, a P50 size) grows to 8388608 MB rather than to the 1 GiB larger 4194304 MB, which is also P50.
// It returns false when mb is already the largest size.
func NextStorageSize(mb int64) (int64, bool) {
	current := -1
	for _, row := range storageTable {
		if row.mb <= mb {
			current = storageTierRank(row.tiers[0])
		}
	}
	for _, row := range storageTable {
		if row.mb > mb && storageTierRank(row.tiers[0]) > current {
			return row.mb, true
		}
	}
	return 0, false
}
