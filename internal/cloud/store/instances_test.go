package store

import (
	"encoding/json"
	"testing"
)

// A record written before servers had instances keeps its container and volume, now on instance "0".
func TestLegacyServerRecordBecomesItsFirstInstance(t *testing.T) {
	old := []byte(`{"spec":{"name":"demo","zone":"2"},"phase":"Ready","container":"flexpg-abc-demo","volume":"spare-7","ip":"10.0.0.5"}`)
	var s Server
	if err := json.Unmarshal(old, &s); err != nil {
		t.Fatal(err)
	}
	p, ok := s.Primary()
	if !ok || len(s.Instances) != 1 {
		t.Fatalf("instances = %+v, want one primary", s.Instances)
	}
	want := Instance{Name: "0", Role: RolePrimary, Zone: "2", Container: "flexpg-abc-demo", Volume: "spare-7", IP: "10.0.0.5"}
	if *p != want {
		t.Fatalf("primary = %+v, want %+v", *p, want)
	}
	if next := s.AddInstance(RoleStandby, "1"); next.Name != "1" {
		t.Fatalf("the next instance is %q, want a name never used before (1)", next.Name)
	}
	// Written back, the record has instances only and reads back the same.
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var again Server
	if err := json.Unmarshal(data, &again); err != nil {
		t.Fatal(err)
	}
	if len(again.Instances) != 2 || again.NextInstance != 2 {
		t.Fatalf("round trip: %+v", again)
	}
}

func TestInstanceNamesAreNeverReused(t *testing.T) {
	var s Server
	a := s.AddInstance(RolePrimary, "1")
	b := s.AddInstance(RoleStandby, "2")
	s.RemoveInstance(b.Name)
	c := s.AddInstance(RoleStandby, "3")
	if c.Name == b.Name || c.Name == a.Name {
		t.Fatalf("names %q %q %q: a removed instance's name came back", a.Name, b.Name, c.Name)
	}
	if _, ok := s.Standby(); !ok {
		t.Fatal("no standby after adding one")
	}
}
