package postgres

import (
	"strings"
	"testing"
)

func TestSlotName(t *testing.T) {
	got, err := SlotName("srv1_b")
	if err != nil || got != "flexpg_ha_srv1_b" {
		t.Fatalf("SlotName = %q, %v", got, err)
	}
	if got, err := SlotName(strings.Repeat("a", 63-len(slotPrefix))); err != nil || len(got) != 63 {
		t.Fatalf("longest slot name: %q, %v", got, err)
	}
	for _, bad := range []string{"", "Srv", "srv-1", "srv.1", "srv 1", strings.Repeat("a", 64-len(slotPrefix))} {
		if got, err := SlotName(bad); err == nil {
			t.Errorf("SlotName(%q) = %q, want an error", bad, got)
		}
	}
}
