package spec

// ReadOnlyThreshold is the share of storage in use at which the service switches a server to read-only
// (or, with auto-grow, grows its storage instead).
const ReadOnlyThreshold = 0.95

// MinFreeBytes is the free space under which the service switches a server to read-only whatever the share
// in use (seed 004: "95% or the available capacity falls below 5 GiB"), at the real size.
const MinFreeBytes = 5 << 30

// StorageMinFreeBytes is MinFreeBytes under the scale, as the capacity is scaled.
func StorageMinFreeBytes(s Scale) int64 {
	b := float64(MinFreeBytes)
	if s.StorageDivisor > 1 {
		b /= s.StorageDivisor
	}
	return int64(b)
}

// StorageCapacityBytes is the capacity the cloud enforces for storageMB under the scale.
func StorageCapacityBytes(storageMB int64, s Scale) int64 {
	b := float64(storageMB) * 1024 * 1024
	if s.StorageDivisor > 1 {
		b /= s.StorageDivisor
	}
	return int64(b)
}

// StorageAction is what the storage guard does about a server.
type StorageAction int

const (
	StorageOK            StorageAction = iota // nothing to do
	StorageSetReadOnly                        // at or above the threshold without auto-grow: read-only
	StorageGrow                               // at or above the threshold with auto-grow: grow to the next size
	StorageClearReadOnly                      // below the threshold again (grown, or data deleted): writable
	StorageFull                               // at or above the threshold, auto-grow on, but no larger size exists
)

// DecideStorage applies the service's rule: at ReadOnlyThreshold of the capacity, or with less than
// minFreeBytes free, a server becomes read-only, unless auto-grow is on and a larger size exists, in which
// case it grows. Used space counts the WAL too, so WAL a stopped replica's slot keeps counts.
func DecideStorage(usedBytes, capacityBytes, minFreeBytes int64, autoGrow, readOnly bool, storageMB int64) StorageAction {
	full := capacityBytes > 0 && (float64(usedBytes) >= ReadOnlyThreshold*float64(capacityBytes) || capacityBytes-usedBytes < minFreeBytes)
	switch {
	case !full && readOnly:
		return StorageClearReadOnly
	case !full:
		return StorageOK
	case autoGrow:
		if _, ok := NextStorageSize(storageMB); ok {
			return StorageGrow
		}
		if readOnly {
			return StorageOK
		}
		return StorageFull
	case readOnly:
		return StorageOK
	}
	return StorageSetReadOnly
}
