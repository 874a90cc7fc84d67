package postgres

import "testing"

func TestLSN(t *testing.T) {
	for _, tc := range []struct {
		text string
		lsn  LSN
	}{{"0/0", 0}, {"0/16B3748", 0x16B3748}, {"16/B374D848", 0x16_B374D848}, {"FFFFFFFF/FFFFFFFF", ^LSN(0)}} {
		got, err := ParseLSN(tc.text)
		if err != nil || got != tc.lsn {
			t.Errorf("ParseLSN(%q) = %v, %v; want %v", tc.text, got, err, tc.lsn)
		}
		if got.String() != tc.text {
			t.Errorf("%d.String() = %q, want %q", uint64(tc.lsn), got.String(), tc.text)
		}
	}
	for _, bad := range []string{"", "0", "0/", "/0", "g/0", "1/2/3", "100000000/0", "0/100000000", "-1/0"} {
		if got, err := ParseLSN(bad); err == nil {
			t.Errorf("ParseLSN(%q) = %v, want an error", bad, got)
		}
	}
	if tli, err := walfileTimeline("00000002000000000000000A"); err != nil || tli != 2 {
		t.Fatalf("walfileTimeline = %d, %v", tli, err)
	}
	if _, err := walfileTimeline("0000000200"); err == nil {
		t.Fatal("short WAL file name accepted")
	}
}
