package spec

import (
	"math"
	"strconv"
)

// Names of the settings the service derives from the SKU and the disk at provisioning.
const (
	ParamMaxConnections     = "max_connections"
	ParamSharedBuffers      = "shared_buffers"
	ParamEffectiveCacheSize = "effective_cache_size"
	ParamMaintenanceWorkMem = "maintenance_work_mem"
	ParamWALBuffers         = "wal_buffers"
	ParamMaxWALSize         = "max_wal_size"
)

// Service limits of max_connections.
const (
	MinMaxConnections = 25
	MaxMaxConnections = 5000
)

// DerivedParameters returns the provisioning defaults the service derives, as strings in PostgreSQL native
// units without a unit suffix:
//   - max_connections from the real SKU memory (what users of the SKU expect to see);
//   - shared_buffers, effective_cache_size and maintenance_work_mem from the scaled container memory c, so
//     PostgreSQL fits inside its container;
//   - wal_buffers from the SKU's vCores, max_wal_size from the disk size (storageMB 0 means the default).
//
// Like the service, the cloud computes these once at create; a later SKU change does not recompute them.
func DerivedParameters(sku SKU, c Compute, storageMB int64) map[string]string {
	shared := sharedBuffersPages(c.MemoryMiB)
	return map[string]string{
		ParamMaxConnections:     itoa(maxConnections(sku.MemoryMiB)),
		ParamSharedBuffers:      itoa(shared),
		ParamEffectiveCacheSize: itoa(c.MemoryMiB*128 - shared),
		ParamMaintenanceWorkMem: itoa(maintenanceWorkMemKB(c.MemoryMiB)),
		ParamWALBuffers:         itoa(walBuffersPages(sku.VCores, shared)),
		ParamMaxWALSize:         itoa(maxWALSizeMB(storageMB)),
	}
}

// maxConnections is the service formula: 25 per GiB up to 2 GiB, above that 0.1049164697034809 per MiB
// (the published table only matches when the factor applies to MiB), truncated and capped at 5000.
func maxConnections(memMiB int64) int64 {
	var n int64
	if memMiB <= 2*gib {
		n = 25 * memMiB / gib
	} else {
		n = int64(float64(memMiB) * 0.1049164697034809)
	}
	return min(max(n, MinMaxConnections), MaxMaxConnections)
}

// sharedBuffersPages is 12.5 % of memory up to 2 GiB and 25 % above, in 8 kB pages.
func sharedBuffersPages(memMiB int64) int64 {
	if memMiB <= 2*gib {
		return memMiB * 16
	}
	return memMiB * 32
}

// maintenanceWorkMemKB is the service formula trunc(82.5 × ln(GiB) + 40) MiB, expressed in kB. The formula
// goes negative below 1 GiB, which only scaled containers reach, so it is floored at 1/16 of the memory
// (at most PostgreSQL's own default of 64 MiB) and capped at the parameter's maximum.
func maintenanceWorkMemKB(memMiB int64) int64 {
	kb := int64(math.Trunc(82.5*math.Log(float64(memMiB)/gib)+40)) * 1024
	floor := min(memMiB*1024/16, 64*1024)
	return min(max(kb, floor, 1024), 2097151)
}

// walBuffersPages is 2048 pages (16 MB) up to 4 vCores and 16384 (128 MB) above. It never exceeds half of
// shared_buffers, which only matters for unusual scale settings with tiny containers.
func walBuffersPages(vcores int, sharedPages int64) int64 {
	pages := int64(2048)
	if vcores > 4 {
		pages = 16384
	}
	return min(pages, max(sharedPages/2, 8))
}

// maxWALSizeTable maps the disk size (the largest row not above it applies) to max_wal_size in MB.
var maxWALSizeTable = []struct{ storageMB, walMB int64 }{
	{32768, 2048},
	{65536, 4096},
	{131072, 12288},
	{262144, 20480},
	{524288, 25600},
	{1048576, 30720},
	{2097152, 40960},
	{8388608, 65536},
}

func maxWALSizeMB(storageMB int64) int64 {
	if storageMB == 0 {
		storageMB = DefaultStorageMB
	}
	wal := maxWALSizeTable[0].walMB
	for _, row := range maxWALSizeTable {
		if storageMB >= row.storageMB {
			wal = row.walMB
		}
	}
	return wal
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
