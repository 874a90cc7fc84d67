package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// fakeNetworks is the network part of fakeCloud: virtual networks, subnets, private DNS zones and links, with
// the refusals the provider must report well (an object in use, a prefix outside the address space, a
// resize of a used subnet). The maps are created on first use.
type fakeNetworks struct {
	vnets   map[string]*model.VirtualNetwork
	subnets map[string]map[string]*model.Subnet // vnet → name
	zones   map[string]*model.PrivateDNSZone
	links   map[string]map[string]*model.PrivateDNSZoneLink // zone → name

	// Injected fault: the next network create operation fails after being accepted.
	failCreate bool
}

func (n *fakeNetworks) init() {
	if n.vnets == nil {
		n.vnets = map[string]*model.VirtualNetwork{}
		n.subnets = map[string]map[string]*model.Subnet{}
		n.zones = map[string]*model.PrivateDNSZone{}
		n.links = map[string]map[string]*model.PrivateDNSZoneLink{}
	}
}

// count returns how many network objects exist, for CheckDestroy.
func (n *fakeNetworks) count() int {
	total := len(n.vnets) + len(n.zones)
	for _, s := range n.subnets {
		total += len(s)
	}
	for _, l := range n.links {
		total += len(l)
	}
	return total
}

// serveNetwork routes /virtualNetworks/... and /privateDnsZones/... (parts is the path after the API version).
func (f *fakeCloud) serveNetwork(w http.ResponseWriter, r *http.Request, parts []string) {
	n := &f.network
	n.init()
	switch {
	case parts[0] == spec.CollectionVirtualNetworks && len(parts) == 2:
		f.serveVNet(w, r, parts[1])
	case parts[0] == spec.CollectionVirtualNetworks && len(parts) == 4 && parts[2] == spec.CollectionSubnets:
		if n.vnets[parts[1]] == nil {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "virtual network "+parts[1]+" not found")
			return
		}
		f.serveSubnet(w, r, parts[1], parts[3])
	case parts[0] == spec.CollectionPrivateDNSZones && len(parts) == 2:
		f.serveZone(w, r, spec.NormalizeDNSZoneName(parts[1]))
	case parts[0] == spec.CollectionPrivateDNSZones && len(parts) == 4 && parts[2] == spec.CollectionDNSZoneLinks:
		zone := spec.NormalizeDNSZoneName(parts[1])
		if n.zones[zone] == nil {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "private DNS zone "+zone+" not found")
			return
		}
		f.serveLink(w, r, zone, parts[3])
	default:
		writeError(w, http.StatusNotFound, model.CodeNotFound, "no such route")
	}
}

func (f *fakeCloud) serveVNet(w http.ResponseWriter, r *http.Request, name string) {
	n := &f.network
	v, exists := n.vnets[name]
	switch r.Method {
	case http.MethodGet:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "virtual network "+name+" not found")
			return
		}
		writeJSON(w, http.StatusOK, v)
	case http.MethodPut:
		var body model.VirtualNetwork
		if !decodeBody(w, r, &body) {
			return
		}
		body.Name, body.ID = name, spec.VirtualNetworkID(name)
		for sname, s := range n.subnets[name] {
			if !spec.PrefixWithin(s.AddressPrefix, body.AddressSpace) {
				writeFieldError(w, "address_space", "address_space must keep covering subnet "+sname)
				return
			}
		}
		n.vnets[name] = &body
		f.writeNetworkOperation(w, body.ID, !exists)
	case http.MethodDelete:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "virtual network "+name+" not found")
			return
		}
		if len(n.subnets[name]) > 0 {
			writeError(w, http.StatusConflict, model.CodeConflict, "virtual network "+name+" still has subnets; delete them first")
			return
		}
		delete(n.vnets, name)
		writeOperation(w, spec.VirtualNetworkID(name), nil)
	}
}

func (f *fakeCloud) serveSubnet(w http.ResponseWriter, r *http.Request, vnet, name string) {
	n := &f.network
	s, exists := n.subnets[vnet][name]
	id := spec.SubnetID(vnet, name)
	switch r.Method {
	case http.MethodGet:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "subnet "+name+" not found")
			return
		}
		out := *s
		out.Servers = f.serversWhere(func(sv *model.Server) bool { return strings.EqualFold(sv.DelegatedSubnetID, id) })
		writeJSON(w, http.StatusOK, out)
	case http.MethodPut:
		var body model.Subnet
		if !decodeBody(w, r, &body) {
			return
		}
		body.Name, body.ID, body.VirtualNetworkName = name, id, vnet
		if !spec.PrefixWithin(body.AddressPrefix, n.vnets[vnet].AddressSpace) {
			writeFieldError(w, "address_prefix", fmt.Sprintf("address_prefix %s is not inside the virtual network's address_space", body.AddressPrefix))
			return
		}
		if exists && s.AddressPrefix != body.AddressPrefix {
			if users := f.serversWhere(func(sv *model.Server) bool { return strings.EqualFold(sv.DelegatedSubnetID, id) }); len(users) > 0 {
				writeFieldError(w, "address_prefix", "address_prefix cannot change while servers use the subnet ("+strings.Join(users, ", ")+")")
				return
			}
		}
		if n.subnets[vnet] == nil {
			n.subnets[vnet] = map[string]*model.Subnet{}
		}
		n.subnets[vnet][name] = &body
		f.writeNetworkOperation(w, id, !exists)
	case http.MethodDelete:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "subnet "+name+" not found")
			return
		}
		if users := f.serversWhere(func(sv *model.Server) bool { return strings.EqualFold(sv.DelegatedSubnetID, id) }); len(users) > 0 {
			writeError(w, http.StatusConflict, model.CodeConflict,
				"subnet "+name+" is used by server "+strings.Join(users, ", ")+"; delete the server first")
			return
		}
		delete(n.subnets[vnet], name)
		writeOperation(w, id, nil)
	}
}

func (f *fakeCloud) serveZone(w http.ResponseWriter, r *http.Request, name string) {
	n := &f.network
	z, exists := n.zones[name]
	id := spec.PrivateDNSZoneID(name)
	switch r.Method {
	case http.MethodGet:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "private DNS zone "+name+" not found")
			return
		}
		writeJSON(w, http.StatusOK, z)
	case http.MethodPut:
		n.zones[name] = &model.PrivateDNSZone{ID: id, Name: name}
		f.writeNetworkOperation(w, id, !exists)
	case http.MethodDelete:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "private DNS zone "+name+" not found")
			return
		}
		if users := f.serversWhere(func(sv *model.Server) bool { return strings.EqualFold(sv.PrivateDNSZoneID, id) }); len(users) > 0 {
			writeError(w, http.StatusConflict, model.CodeConflict,
				"private DNS zone "+name+" is used by server "+strings.Join(users, ", ")+"; delete the server first")
			return
		}
		if len(n.links[name]) > 0 {
			writeError(w, http.StatusConflict, model.CodeConflict, "private DNS zone "+name+" still has virtual network links")
			return
		}
		delete(n.zones, name)
		writeOperation(w, id, nil)
	}
}

func (f *fakeCloud) serveLink(w http.ResponseWriter, r *http.Request, zone, name string) {
	n := &f.network
	l, exists := n.links[zone][name]
	id := spec.PrivateDNSZoneLinkID(zone, name)
	switch r.Method {
	case http.MethodGet:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "link "+name+" not found")
			return
		}
		writeJSON(w, http.StatusOK, l)
	case http.MethodPut:
		var body model.PrivateDNSZoneLink
		if !decodeBody(w, r, &body) {
			return
		}
		vnet, err := spec.ParseVirtualNetworkID(body.VirtualNetworkID)
		if err != nil || n.vnets[vnet] == nil {
			writeFieldError(w, "virtual_network_id", "virtual_network_id: virtual network "+vnet+" does not exist")
			return
		}
		body.Name, body.ID, body.ZoneName = name, id, zone
		if n.links[zone] == nil {
			n.links[zone] = map[string]*model.PrivateDNSZoneLink{}
		}
		n.links[zone][name] = &body
		f.writeNetworkOperation(w, id, !exists)
	case http.MethodDelete:
		if !exists {
			writeError(w, http.StatusNotFound, model.CodeNotFound, "link "+name+" not found")
			return
		}
		delete(n.links[zone], name)
		writeOperation(w, id, nil)
	}
}

// writeNetworkOperation answers a PUT; a create fails (after being accepted) when a failure was injected.
func (f *fakeCloud) writeNetworkOperation(w http.ResponseWriter, id string, creating bool) {
	if creating && f.network.failCreate {
		f.network.failCreate = false
		writeOperation(w, id, &model.Error{Code: model.CodeInternal, Message: "creating the bridge network failed"})
		return
	}
	writeOperation(w, id, nil)
}

// serversWhere returns the sorted names of the servers that satisfy pred.
func (f *fakeCloud) serversWhere(pred func(*model.Server) bool) []string {
	var out []string
	for name, s := range f.servers {
		if pred(s) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, model.CodeInvalidParameter, err.Error())
		return false
	}
	return true
}

// writeFieldError answers 400 InvalidParameter naming the offending field, as the cloud does.
func writeFieldError(w http.ResponseWriter, field, message string) {
	writeJSON(w, http.StatusBadRequest, model.ErrorResponse{Error: model.Error{
		Code: model.CodeInvalidParameter, Message: message, Field: field}})
}
