package spec

import "testing"

func mustSKU(t *testing.T, name string) SKU {
	t.Helper()
	s, ok := LookupSKU(name)
	if !ok {
		t.Fatalf("SKU %s missing", name)
	}
	return s
}

func TestScaledCompute(t *testing.T) {
	cases := []struct {
		sku    string
		scale  Scale
		nano   int64
		memMiB int64
	}{
		{"B_Standard_B1ms", DefaultScale, 500_000_000, 256},
		{"GP_Standard_D2s_v3", DefaultScale, 1_000_000_000, 1024},
		{"GP_Standard_D16s_v3", DefaultScale, 2_000_000_000, 4096}, // capped CPUs and memory
		{"MO_Standard_E64s_v3", DefaultScale, 2_000_000_000, 4096},
		{"B_Standard_B1ms", Scale{CPUPerVCore: 0.1, MemoryDivisor: 64, MinMemoryMiB: 128}, 250_000_000, 128}, // floors
		{"GP_Standard_D4s_v3", Scale{}, 4_000_000_000, 16384},                                                // zero scale = real size
	}
	for _, c := range cases {
		got := ScaledCompute(mustSKU(t, c.sku), c.scale)
		if got.NanoCPUs != c.nano || got.MemoryMiB != c.memMiB || got.MemoryBytes != c.memMiB<<20 {
			t.Errorf("ScaledCompute(%s, %+v) = %+v; want %d nano CPUs, %d MiB", c.sku, c.scale, got, c.nano, c.memMiB)
		}
	}
}

func TestDerivedParameters(t *testing.T) {
	maxConns := map[string]string{
		"B_Standard_B1ms": "50", "B_Standard_B2s": "429", "B_Standard_B2ms": "859", "B_Standard_B4ms": "1718",
		"B_Standard_B8ms": "3437", "B_Standard_B12ms": "5000", "GP_Standard_D2s_v3": "859", "GP_Standard_D4s_v3": "1718",
		"GP_Standard_D8ds_v5": "3437", "MO_Standard_E2s_v3": "1718", "MO_Standard_E4s_v3": "3437",
		"MO_Standard_E96ads_v5": "5000",
	}
	for name, want := range maxConns {
		sku := mustSKU(t, name)
		got := DerivedParameters(sku, ScaledCompute(sku, DefaultScale), 0)[ParamMaxConnections]
		if got != want {
			t.Errorf("max_connections for %s = %s, want %s", name, got, want)
		}
	}
	// Unscaled memory reproduces the service's published table (reference/server-parameters.md §2.1).
	table := []struct {
		sku                       string
		shared, cache, maint, wal string
	}{
		{"B_Standard_B1ms", "32768", "229376", "99328", "2048"},
		{"B_Standard_B2s", "131072", "393216", "157696", "2048"},
		{"GP_Standard_D2s_v3", "262144", "786432", "216064", "2048"},
		{"GP_Standard_D8s_v3", "1048576", "3145728", "332800", "16384"},
		{"MO_Standard_E64s_v3", "14155776", "42467328", "552960", "16384"},
	}
	for _, c := range table {
		sku := mustSKU(t, c.sku)
		p := DerivedParameters(sku, ScaledCompute(sku, Scale{}), 32768)
		if p[ParamSharedBuffers] != c.shared || p[ParamEffectiveCacheSize] != c.cache ||
			p[ParamMaintenanceWorkMem] != c.maint || p[ParamWALBuffers] != c.wal {
			t.Errorf("%s unscaled = %v; want shared %s cache %s maint %s wal %s", c.sku, p, c.shared, c.cache, c.maint, c.wal)
		}
	}
	// Scaled: B1ms gets 256 MiB, so 12.5 % shared buffers and a floored maintenance_work_mem.
	b1 := mustSKU(t, "B_Standard_B1ms")
	p := DerivedParameters(b1, ScaledCompute(b1, DefaultScale), 0)
	if p[ParamSharedBuffers] != "4096" || p[ParamEffectiveCacheSize] != "28672" || p[ParamMaintenanceWorkMem] != "16384" {
		t.Errorf("B1ms scaled = %v", p)
	}
	walSizes := map[int64]string{0: "2048", 32768: "2048", 65536: "4096", 131072: "12288", 262144: "20480",
		524288: "25600", 1048576: "30720", 2097152: "40960", 4194304: "40960", 8388608: "65536", 33553408: "65536"}
	for mb, want := range walSizes {
		if got := DerivedParameters(b1, ScaledCompute(b1, DefaultScale), mb)[ParamMaxWALSize]; got != want {
			t.Errorf("max_wal_size for %d MB = %s, want %s", mb, got, want)
		}
	}
	// Every derived value is valid for its own parameter.
	for _, sku := range SKUs() {
		for name, v := range DerivedParameters(sku, ScaledCompute(sku, DefaultScale), 0) {
			if e := ValidateParameterValue(name, v); e != nil {
				t.Errorf("derived %s=%s for %s is invalid: %s", name, v, sku.Name, e.Message)
			}
		}
	}
}
