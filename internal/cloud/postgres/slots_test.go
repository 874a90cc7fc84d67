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

func TestReplicaSlotName(t *testing.T) {
	if got, err := ReplicaSlotName("my-replica-1"); err != nil || got != "flexpg_rr_my_replica_1" {
		t.Fatalf("%q %v", got, err)
	}
	long := strings.Repeat("a", 60)
	a, errA := ReplicaSlotName(long + "-x")
	b, errB := ReplicaSlotName(long + "-y")
	if errA != nil || errB != nil || a == b || len(a) > 63 || len(b) > 63 {
		t.Fatalf("long names: %q %q (%v %v)", a, b, errA, errB)
	}
	if _, err := ReplicaSlotName(""); err == nil {
		t.Fatal("an empty name has no slot")
	}
}
