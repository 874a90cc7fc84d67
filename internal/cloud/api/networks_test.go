package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// finish marks an operation as the controller does when it ends.
func finish(t *testing.T, st *store.Store, op store.Operation) {
	t.Helper()
	op.Status = model.OperationSucceeded
	if err := st.Update(func(tx *store.Tx) error {
		if err := tx.ReleaseResource(op.ResourceID, op.ID); err != nil {
			return err
		}
		return tx.PutOperation(op)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestNetworkOperationsAreSerialised: while an operation changes a network resource, a second change of it
// is a 409 ResourceBusy naming the operation; once it ends, the next change is accepted.
func TestNetworkOperationsAreSerialised(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	vnet := model.VirtualNetwork{Location: "westeurope", AddressSpace: []string{"10.20.0.0/16"}}
	resp, body := call(t, srv, http.MethodPut, "/v1/virtualNetworks/v1", vnet, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, body = call(t, srv, http.MethodPut, "/v1/virtualNetworks/v1", vnet, nil)
	e := assertError(t, resp, body, http.StatusConflict, model.CodeResourceBusy)
	if !strings.Contains(e.Message, ops.launched[0].ID) || !strings.Contains(e.Message, controller.KindVirtualNetworkPut) {
		t.Fatalf("message %q does not name the running operation", e.Message)
	}
	// Another resource is not held.
	resp, body = call(t, srv, http.MethodPut, "/v1/virtualNetworks/v2", vnet, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("another VNet: %d %s", resp.StatusCode, body)
	}
	finish(t, st, ops.launched[0])
	if err := st.Update(func(tx *store.Tx) error {
		return tx.PutVirtualNetwork(store.VirtualNetwork{VNet: model.VirtualNetwork{Name: "v1", Location: "westeurope", AddressSpace: vnet.AddressSpace}})
	}); err != nil {
		t.Fatal(err)
	}
	resp, body = call(t, srv, http.MethodDelete, "/v1/virtualNetworks/v1", nil, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after the first ended: %d %s", resp.StatusCode, body)
	}
}

// TestSubnetUpdateRecordsTheSubnetItReplaces: the operation of a subnet update carries the subnet as it was,
// which a failed update restores.
func TestSubnetUpdateRecordsTheSubnetItReplaces(t *testing.T) {
	srv, ops, st := newTestAPI(t)
	seedSubnet(t, st)
	resp, body := call(t, srv, http.MethodPut, "/v1/virtualNetworks/v1/subnets/s1",
		model.Subnet{AddressPrefix: "10.20.2.0/24", Delegation: spec.DelegationFlexibleServers}, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var p controller.SubnetPayload
	if err := json.Unmarshal(ops.launched[0].Payload, &p); err != nil || p.Old == nil || p.Old.AddressPrefix != "10.20.1.0/24" || p.Subnet.AddressPrefix != "10.20.2.0/24" {
		t.Fatalf("payload %+v %v", p, err)
	}
}

// TestServerCreateWaitsForItsSubnet: a private server is not placed in a subnet an operation is changing.
func TestServerCreateWaitsForItsSubnet(t *testing.T) {
	srv, _, st := newTestAPI(t)
	seedSubnet(t, st)
	resp, body := call(t, srv, http.MethodPut, "/v1/virtualNetworks/v1/subnets/s1",
		model.Subnet{AddressPrefix: "10.20.1.0/24", Delegation: spec.DelegationFlexibleServers}, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	s := validServer()
	s.DelegatedSubnetID = spec.SubnetID("v1", "s1")
	s.PrivateDNSZoneID = spec.PrivateDNSZoneID("db.postgres.flexpg.internal")
	off := false
	s.PublicNetworkAccessEnabled = &off
	resp, body = call(t, srv, http.MethodPut, "/v1/flexibleServers/demo", s, nil)
	e := assertError(t, resp, body, http.StatusConflict, model.CodeResourceBusy)
	if !strings.Contains(e.Message, spec.SubnetID("v1", "s1")) {
		t.Fatalf("message %q does not name the subnet", e.Message)
	}
}

func seedSubnet(t *testing.T, st *store.Store) {
	t.Helper()
	if err := st.Update(func(tx *store.Tx) error {
		if err := tx.PutVirtualNetwork(store.VirtualNetwork{VNet: model.VirtualNetwork{Name: "v1", Location: "westeurope", AddressSpace: []string{"10.20.0.0/16"}}}); err != nil {
			return err
		}
		if err := tx.PutPrivateDNSZone(store.PrivateDNSZone{Zone: model.PrivateDNSZone{Name: "db.postgres.flexpg.internal"}}); err != nil {
			return err
		}
		return tx.PutSubnet(store.Subnet{VNet: "v1", Ready: true, Network: "n", Gateway: "10.20.1.1",
			Subnet: model.Subnet{Name: "s1", AddressPrefix: "10.20.1.0/24", Delegation: spec.DelegationFlexibleServers}})
	}); err != nil {
		t.Fatal(err)
	}
}
