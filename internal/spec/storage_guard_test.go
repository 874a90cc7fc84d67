package spec

import "testing"

func TestDecideStorage(t *testing.T) {
	const capacity = 1000
	cases := []struct {
		name     string
		used     int64
		autoGrow bool
		readOnly bool
		mb       int64
		want     StorageAction
	}{
		{"below threshold", 949, false, false, 32768, StorageOK},
		{"at threshold", 950, false, false, 32768, StorageSetReadOnly},
		{"already read-only", 990, false, true, 32768, StorageOK},
		{"auto-grow grows", 960, true, false, 32768, StorageGrow},
		{"auto-grow at the largest size", 960, true, false, 33553408, StorageFull},
		{"back below after growing", 500, true, true, 65536, StorageClearReadOnly},
		{"data deleted", 100, false, true, 32768, StorageClearReadOnly},
	}
	for _, tc := range cases {
		if got := DecideStorage(tc.used, capacity, 0, tc.autoGrow, tc.readOnly, tc.mb); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
	// Less than the minimum free is full at any share: 899 of 1000 used leaves 101, 901 leaves 99.
	if got := DecideStorage(899, capacity, 100, false, false, 32768); got != StorageOK {
		t.Errorf("101 free of a 100 minimum: %d", got)
	}
	if got := DecideStorage(901, capacity, 100, false, false, 32768); got != StorageSetReadOnly {
		t.Errorf("99 free of a 100 minimum: %d", got)
	}
	if got := StorageMinFreeBytes(Scale{StorageDivisor: 512}); got != 10<<20 {
		t.Errorf("5 GiB scaled by 512 = %d, want 10 MiB", got)
	}
}

func TestStorageCapacity(t *testing.T) {
	if got := StorageCapacityBytes(32768, Scale{}); got != 32<<30 {
		t.Fatalf("unscaled: %d", got)
	}
	if got := StorageCapacityBytes(32768, Scale{StorageDivisor: 512}); got != 64<<20 {
		t.Fatalf("scaled: %d", got)
	}
}
