package netguard

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fakeTables answers listings from fixed text and records what is restored.
type fakeTables struct {
	listings map[string]string // table -> `iptables -S` output
	restored []string
	calls    []string
}

func (f *fakeTables) run(_ context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	call := name + " " + strings.Join(args, " ")
	f.calls = append(f.calls, call)
	switch {
	case name == "iptables" && len(args) == 4 && args[0] == "-w" && args[1] == "-t" && args[3] == "-S":
		return []byte(f.listings[args[2]]), nil
	case call == "iptables-restore -w --noflush":
		f.restored = append(f.restored, string(stdin))
		return nil, nil
	}
	return nil, errors.New("fake: unexpected command " + call)
}

func TestGuardLifecycleCommands(t *testing.T) {
	ctx := context.Background()
	f := &fakeTables{listings: map[string]string{"filter": dockerFilterListing, "nat": dockerNATListing}}
	g, err := newGuard(ctx, "c1", nil, f.run)
	if err != nil {
		t.Fatalf("newGuard: %v", err)
	}
	if len(f.restored) != 0 {
		t.Fatalf("New on an installed machine restored %q, want nothing", f.restored)
	}
	if err := g.Apply(ctx, twoVNets()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want, _ := renderApply(testChains(t), installedState(), twoVNets())
	if len(f.restored) != 1 || f.restored[0] != want {
		t.Fatalf("Apply restored %q, want %q", f.restored, want)
	}
	if err := g.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if len(f.restored) != 2 || !strings.Contains(f.restored[1], "-X FLEXPG-c1-NAT") {
		t.Fatalf("Close restored %q", f.restored)
	}
	if err := g.Apply(ctx, twoVNets()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Apply after Close: err %v, want ErrClosed", err)
	}
	for _, c := range f.calls {
		if strings.HasPrefix(c, "iptables ") && !strings.HasPrefix(c, "iptables -w ") {
			t.Errorf("call without -w: %q", c)
		}
	}
}

func TestNewRejectsBadIDWithoutTouchingTables(t *testing.T) {
	f := &fakeTables{}
	if _, err := newGuard(context.Background(), "bad id", nil, f.run); err == nil {
		t.Fatal("newGuard accepted a bad ID")
	}
	if len(f.calls) != 0 {
		t.Fatalf("commands run for a bad ID: %q", f.calls)
	}
}

func TestApplyRejectsBadSubnetWithoutRestoring(t *testing.T) {
	ctx := context.Background()
	f := &fakeTables{listings: map[string]string{"filter": dockerFilterListing, "nat": dockerNATListing}}
	g, err := newGuard(ctx, "c1", nil, f.run)
	if err != nil {
		t.Fatal(err)
	}
	bad := []VNet{{Name: "v", Subnets: []Subnet{{Bridge: "br+"}}}}
	if err := g.Apply(ctx, bad); err == nil {
		t.Fatal("Apply accepted a bad subnet")
	}
	if len(f.restored) != 0 {
		t.Fatalf("restored %q after a rejected Apply", f.restored)
	}
}
