package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

func open(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

// TestDurable: what a transaction wrote is there after the file is closed and opened again.
func TestDurable(t *testing.T) {
	s, path := open(t)
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutServer(Server{Spec: model.Server{Name: "a"}, Phase: PhaseReady, HostPort: 15000}); err != nil {
			return err
		}
		if err := tx.PutFirewallRule(FirewallRule{Server: "a", Rule: model.FirewallRule{Name: "r1"}}); err != nil {
			return err
		}
		if err := tx.ReservePort(15000, "/flexibleServers/a"); err != nil {
			return err
		}
		return tx.PutOperation(Operation{Operation: model.Operation{ID: "op1", Status: model.OperationRunning, Step: "start"}, RollingBack: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(func(tx *Tx) error {
		srv, err := tx.GetServer("a")
		if err != nil || srv.HostPort != 15000 || srv.Phase != PhaseReady {
			t.Fatalf("server %+v %v", srv, err)
		}
		op, err := tx.GetOperation("op1")
		if err != nil || op.Step != "start" || !op.RollingBack {
			t.Fatalf("operation %+v %v", op, err)
		}
		if owner, err := tx.PortOwner(15000); err != nil || owner != "/flexibleServers/a" {
			t.Fatalf("port owner %q %v", owner, err)
		}
		return nil
	})
}

// TestRollback: an error from the function leaves nothing of the transaction behind.
func TestRollback(t *testing.T) {
	s, _ := open(t)
	defer s.Close()
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutServer(Server{Spec: model.Server{Name: "a"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	_ = s.View(func(tx *Tx) error {
		if _, err := tx.GetServer("a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("rolled-back write visible: %v", err)
		}
		return nil
	})
}

// TestChildrenArePerServer: a prefix scan of one server does not see another whose name extends it.
func TestChildrenArePerServer(t *testing.T) {
	s, _ := open(t)
	defer s.Close()
	_ = s.Update(func(tx *Tx) error {
		for _, srv := range []string{"db", "db2"} {
			_ = tx.PutFirewallRule(FirewallRule{Server: srv, Rule: model.FirewallRule{Name: "r"}})
			_ = tx.PutDatabase(Database{Server: srv, Database: model.Database{Name: "x"}})
			_ = tx.PutConfiguration(Configuration{Server: srv, Name: "work_mem", Value: "8192"})
		}
		_ = tx.ReservePort(1, "/flexibleServers/db")
		return tx.ReservePort(2, "/flexibleServers/db2")
	})
	_ = s.Update(func(tx *Tx) error {
		rules, _ := tx.ListFirewallRules("db")
		if len(rules) != 1 {
			t.Fatalf("rules of db: %+v", rules)
		}
		if err := tx.DeleteServerChildren("db"); err != nil {
			t.Fatal(err)
		}
		if err := tx.ReleasePorts("/flexibleServers/db"); err != nil {
			t.Fatal(err)
		}
		if err := tx.ReservePort(2, "/flexibleServers/other"); err == nil {
			t.Fatal("reserved a port owned by another server")
		}
		return nil
	})
	_ = s.View(func(tx *Tx) error {
		for _, srv := range []string{"db", "db2"} {
			rules, _ := tx.ListFirewallRules(srv)
			dbs, _ := tx.ListDatabases(srv)
			cfgs, _ := tx.ListConfigurations(srv)
			want := map[string]int{"db": 0, "db2": 1}[srv]
			if len(rules) != want || len(dbs) != want || len(cfgs) != want {
				t.Fatalf("%s: %d rules %d dbs %d configs, want %d", srv, len(rules), len(dbs), len(cfgs), want)
			}
		}
		if _, err := tx.PortOwner(1); !errors.Is(err, ErrNotFound) {
			t.Fatal("port of a deleted server still reserved")
		}
		return nil
	})
}
