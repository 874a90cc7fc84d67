package spec

// ReadOnlyThreshold is the share of storage in use at which the service switches a server to read-only
// (or, with auto-grow, grows its storage instead).
const ReadOnlyThreshold = 0.95

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

// DecideStorage applies the service's rule: at ReadOnlyThreshold of the capacity a server becomes read-only,
// unless auto-grow is on and a larger size exists, in which case it grows.
func DecideStorage(usedBytes, capacityBytes int64, autoGrow, readOnly bool, storageMB int64) StorageAction {
	full := capacityBytes > 0 && float64(usedBytes) >= ReadOnlyThreshold*float64(capacityBytes)
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
