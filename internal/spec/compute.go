package spec

import "math"

// Scale maps a SKU's vCores and memory onto Docker limits. The real SKUs are far larger than a developer's
// machine: a 2-core laptop must hold several servers (plus HA standbys and replicas) at once, so each server
// gets a fraction of its nominal size. PostgreSQL's memory settings then follow the scaled container memory
// so PostgreSQL fits inside its limit, while max_connections keeps the real SKU's value (users test against
// it, and idle connection slots cost almost nothing).
type Scale struct {
	// CPUPerVCore is the number of host CPUs per SKU vCore (≤ 0 means 1, no scaling).
	CPUPerVCore float64
	// MemoryDivisor divides the SKU memory (≤ 0 means 1, no scaling).
	MemoryDivisor float64
	// MinMemoryMiB is the floor of the container memory (≤ 0 means none).
	MinMemoryMiB int64
	// MaxCPUs caps the CPUs of one container (≤ 0 means no cap).
	MaxCPUs float64
	// MaxMemoryMiB caps the memory of one container (≤ 0 means no cap). Large SKUs (E64 = 432 GiB) would
	// otherwise get a limit, and shared_buffers, larger than the machine.
	MaxMemoryMiB int64
	// StorageDivisor scales storage_mb down to the capacity the cloud enforces (≤ 1 means the real size). Tests
	// use a large divisor to reach the 95% read-only threshold with a few megabytes of data.
	StorageDivisor float64
}

// MinCPUs is the smallest CPU share a server container gets, so even a tiny server can start quickly.
const MinCPUs = 0.25

// DefaultScale gives a B1ms server half a CPU and 256 MiB, a D2s_v3 one CPU and 1 GiB, and never more than
// 2 CPUs and 4 GiB to one container.
var DefaultScale = Scale{CPUPerVCore: 0.5, MemoryDivisor: 8, MinMemoryMiB: 256, MaxCPUs: 2, MaxMemoryMiB: 4096}

// Compute is the Docker resource limit of one server container.
type Compute struct {
	NanoCPUs    int64
	MemoryBytes int64
	MemoryMiB   int64
}

// ScaledCompute returns the container limits of a SKU under s: CPUs = vCores × CPUPerVCore capped at MaxCPUs
// and at least MinCPUs; memory = SKU memory / MemoryDivisor, at least MinMemoryMiB and at most MaxMemoryMiB.
func ScaledCompute(sku SKU, s Scale) Compute {
	perVCore := s.CPUPerVCore
	if perVCore <= 0 {
		perVCore = 1
	}
	cpus := float64(sku.VCores) * perVCore
	if s.MaxCPUs > 0 {
		cpus = math.Min(cpus, s.MaxCPUs)
	}
	cpus = math.Max(cpus, MinCPUs)

	divisor := s.MemoryDivisor
	if divisor <= 0 {
		divisor = 1
	}
	mem := int64(math.Floor(float64(sku.MemoryMiB) / divisor))
	if s.MaxMemoryMiB > 0 && mem > s.MaxMemoryMiB {
		mem = s.MaxMemoryMiB
	}
	if mem < s.MinMemoryMiB {
		mem = s.MinMemoryMiB
	}
	return Compute{
		NanoCPUs:    int64(math.Round(cpus * 1e9)),
		MemoryBytes: mem << 20,
		MemoryMiB:   mem,
	}
}
