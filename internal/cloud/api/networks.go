package api

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// networkOperation records and launches an operation on a network resource, which the operation holds until
// it ends (a second change meanwhile is a 409 ResourceBusy, as for a busy server). check runs inside the
// transaction that stores the operation, so a rule about other resources cannot race a concurrent change.
// The payload is encoded after check, which may complete it (a subnet update records the subnet it replaces).
func (a *API) networkOperation(w http.ResponseWriter, kind, resourceID string, payload any, check func(*store.Tx) error) {
	var op store.Operation
	err := a.cfg.Store.Update(func(tx *store.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		body, err := jsonBody(payload)
		if err != nil {
			return err
		}
		op = a.cfg.Ops.NewOperation(kind, resourceID, "", body)
		return tx.HoldResource(resourceID, op)
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	a.cfg.Ops.Launch(op)
	accepted(w, op)
}

// serversUsing lists the servers (sorted) that satisfy pred.
func serversUsing(tx *store.Tx, pred func(model.Server) bool) ([]string, error) {
	servers, err := tx.ListServers()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range servers {
		if pred(s.Spec) {
			out = append(out, s.Spec.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func inSubnet(vnet, subnet string) func(model.Server) bool {
	id := spec.SubnetID(vnet, subnet)
	return func(s model.Server) bool { return strings.EqualFold(s.DelegatedSubnetID, id) }
}

func inVNet(vnet string) func(model.Server) bool {
	return func(s model.Server) bool {
		v, _, err := spec.ParseSubnetID(s.DelegatedSubnetID)
		return err == nil && v == vnet
	}
}

func inZone(zone string) func(model.Server) bool {
	return func(s model.Server) bool {
		z, err := spec.ParsePrivateDNSZoneID(s.PrivateDNSZoneID)
		return err == nil && strings.EqualFold(z, zone)
	}
}

// Virtual networks.

func presentVNet(v store.VirtualNetwork) model.VirtualNetwork {
	out := v.VNet
	out.ID = spec.VirtualNetworkID(v.VNet.Name)
	return out
}

func (a *API) listVirtualNetworks(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.VirtualNetwork, error) {
		vnets, err := tx.ListVirtualNetworks()
		return each(vnets, err, presentVNet)
	})
}

func (a *API) getVirtualNetwork(w http.ResponseWriter, r *http.Request) {
	readOne(a, w, func(tx *store.Tx) (model.VirtualNetwork, error) {
		v, err := vnetFor(tx, r.PathValue("vnet"))
		return presentVNet(v), err
	})
}

func vnetFor(tx *store.Tx, name string) (store.VirtualNetwork, error) {
	v, err := tx.GetVirtualNetwork(name)
	if errors.Is(err, store.ErrNotFound) {
		return v, missing("virtual network %s not found", name)
	}
	return v, err
}

func (a *API) putVirtualNetwork(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("vnet")
	var req model.VirtualNetwork
	if !decode(w, r, &req) {
		return
	}
	req.Name, req.ID = name, ""
	if errs := spec.ValidateVirtualNetwork(vnetConfig(req)); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	a.networkOperation(w, controller.KindVirtualNetworkPut, spec.VirtualNetworkID(name), controller.VirtualNetworkPayload{VNet: req},
		func(tx *store.Tx) error {
			old, err := tx.GetVirtualNetwork(name)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if errs := spec.ValidateVirtualNetworkUpdate(vnetConfig(old.VNet), vnetConfig(req)); len(errs) > 0 {
				return errs
			}
			subnets, err := tx.ListSubnets(name)
			if err != nil {
				return err
			}
			prefixes := map[string]string{}
			for _, s := range subnets {
				prefixes[s.Subnet.Name] = s.Subnet.AddressPrefix
			}
			if errs := spec.ValidateAddressSpaceChange(req.AddressSpace, prefixes); len(errs) > 0 {
				return errs
			}
			return nil
		})
}

func (a *API) deleteVirtualNetwork(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("vnet")
	a.networkOperation(w, controller.KindVirtualNetworkDelete, spec.VirtualNetworkID(name), controller.VirtualNetworkPayload{VNet: model.VirtualNetwork{Name: name}},
		func(tx *store.Tx) error {
			if _, err := vnetFor(tx, name); err != nil {
				return err
			}
			subnets, err := tx.ListSubnets(name)
			if err != nil {
				return err
			}
			if len(subnets) > 0 {
				var names []string
				for _, s := range subnets {
					names = append(names, s.Subnet.Name)
				}
				return conflictf("virtual network %s still has subnets (%s); delete them first", name, strings.Join(names, ", "))
			}
			return nil
		})
}

// Subnets.

func presentSubnet(tx *store.Tx, s store.Subnet) (model.Subnet, error) {
	out := s.Subnet
	out.ID = spec.SubnetID(s.VNet, s.Subnet.Name)
	out.VirtualNetworkName = s.VNet
	out.DockerNetwork = s.Network
	if s.Gateway != "" {
		out.DNSServer = s.Gateway
	}
	servers, err := serversUsing(tx, inSubnet(s.VNet, s.Subnet.Name))
	out.Servers = servers
	return out, err
}

func subnetFor(tx *store.Tx, vnet, name string) (store.Subnet, error) {
	if _, err := vnetFor(tx, vnet); err != nil {
		return store.Subnet{}, err
	}
	s, err := tx.GetSubnet(vnet, name)
	if errors.Is(err, store.ErrNotFound) {
		return s, missing("subnet %s not found in virtual network %s", name, vnet)
	}
	return s, err
}

func (a *API) listSubnets(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.Subnet, error) {
		if _, err := vnetFor(tx, r.PathValue("vnet")); err != nil {
			return nil, err
		}
		subnets, err := tx.ListSubnets(r.PathValue("vnet"))
		if err != nil {
			return nil, err
		}
		out := make([]model.Subnet, 0, len(subnets))
		for _, s := range subnets {
			m, err := presentSubnet(tx, s)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	})
}

func (a *API) getSubnet(w http.ResponseWriter, r *http.Request) {
	readOne(a, w, func(tx *store.Tx) (model.Subnet, error) {
		s, err := subnetFor(tx, r.PathValue("vnet"), r.PathValue("subnet"))
		if err != nil {
			return model.Subnet{}, err
		}
		return presentSubnet(tx, s)
	})
}

func (a *API) putSubnet(w http.ResponseWriter, r *http.Request) {
	vnet, name := r.PathValue("vnet"), r.PathValue("subnet")
	var req model.Subnet
	if !decode(w, r, &req) {
		return
	}
	req.Name, req.ID, req.VirtualNetworkName = name, "", ""
	req.Servers, req.DockerNetwork, req.DNSServer = nil, "", ""
	if errs := spec.ValidateSubnet(spec.SubnetConfig{Name: name, VirtualNetworkID: spec.VirtualNetworkID(vnet),
		AddressPrefix: req.AddressPrefix, Delegation: req.Delegation}); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	payload := &controller.SubnetPayload{VNet: vnet, Subnet: req}
	a.networkOperation(w, controller.KindSubnetPut, spec.SubnetID(vnet, name), payload,
		func(tx *store.Tx) error {
			old, err := checkSubnetPut(tx, vnet, name, req)
			if old != nil {
				payload.Old = &old.Subnet // what a failed update restores
			}
			return err
		})
}

// checkSubnetPut applies the rules that need the cloud's state: the prefix lies in the VNet's address space
// and overlaps no sibling; a subnet holding servers keeps its prefix and delegation. It returns the subnet
// as it is, if it exists.
func checkSubnetPut(tx *store.Tx, vnet, name string, req model.Subnet) (*store.Subnet, error) {
	v, err := vnetFor(tx, vnet)
	if err != nil {
		return nil, err
	}
	subnets, err := tx.ListSubnets(vnet)
	if err != nil {
		return nil, err
	}
	var siblings []string
	var old *store.Subnet
	for i, s := range subnets {
		if s.Subnet.Name == name {
			old = &subnets[i]
			continue
		}
		siblings = append(siblings, s.Subnet.AddressPrefix)
	}
	if errs := spec.ValidateSubnetPrefix(req.AddressPrefix, v.VNet.AddressSpace, siblings); len(errs) > 0 {
		return old, errs
	}
	if old == nil {
		return nil, nil
	}
	users, err := serversUsing(tx, inSubnet(vnet, name))
	if err != nil {
		return old, err
	}
	var errs spec.FieldErrors
	errs.Add(spec.ValidateSubnetResize(old.Subnet.AddressPrefix, req.AddressPrefix, users))
	errs.Add(spec.ValidateDelegationChange(old.Subnet.Delegation, req.Delegation, users))
	if len(errs) > 0 {
		return old, errs
	}
	return old, nil
}

func (a *API) deleteSubnet(w http.ResponseWriter, r *http.Request) {
	vnet, name := r.PathValue("vnet"), r.PathValue("subnet")
	a.networkOperation(w, controller.KindSubnetDelete, spec.SubnetID(vnet, name),
		controller.SubnetPayload{VNet: vnet, Subnet: model.Subnet{Name: name}},
		func(tx *store.Tx) error {
			if _, err := subnetFor(tx, vnet, name); err != nil {
				return err
			}
			users, err := serversUsing(tx, inSubnet(vnet, name))
			if err != nil {
				return err
			}
			if len(users) > 0 {
				return conflictf("subnet %s is used by server %s; delete the server first", name, strings.Join(users, ", "))
			}
			return nil
		})
}

// Private DNS zones.

func presentZone(tx *store.Tx, z store.PrivateDNSZone) (model.PrivateDNSZone, error) {
	out := z.Zone
	out.ID = spec.PrivateDNSZoneID(z.Zone.Name)
	servers, err := serversUsing(tx, inZone(z.Zone.Name))
	out.Servers = servers
	return out, err
}

func zoneFor(tx *store.Tx, name string) (store.PrivateDNSZone, error) {
	z, err := tx.GetPrivateDNSZone(spec.NormalizeDNSZoneName(name))
	if errors.Is(err, store.ErrNotFound) {
		return z, missing("private DNS zone %s not found", name)
	}
	return z, err
}

func (a *API) getPrivateDNSZone(w http.ResponseWriter, r *http.Request) {
	readOne(a, w, func(tx *store.Tx) (model.PrivateDNSZone, error) {
		z, err := zoneFor(tx, r.PathValue("zone"))
		if err != nil {
			return model.PrivateDNSZone{}, err
		}
		return presentZone(tx, z)
	})
}

func (a *API) putPrivateDNSZone(w http.ResponseWriter, r *http.Request) {
	name := spec.NormalizeDNSZoneName(r.PathValue("zone"))
	if fe := spec.ValidatePrivateDNSZoneName(name); fe != nil {
		invalid(w, spec.FieldErrors{fe})
		return
	}
	zone := model.PrivateDNSZone{Name: name}
	a.networkOperation(w, controller.KindZonePut, spec.PrivateDNSZoneID(name), controller.ZonePayload{Zone: zone},
		func(*store.Tx) error { return nil })
}

func (a *API) deletePrivateDNSZone(w http.ResponseWriter, r *http.Request) {
	name := spec.NormalizeDNSZoneName(r.PathValue("zone"))
	a.networkOperation(w, controller.KindZoneDelete, spec.PrivateDNSZoneID(name), controller.ZonePayload{Zone: model.PrivateDNSZone{Name: name}},
		func(tx *store.Tx) error {
			if _, err := zoneFor(tx, name); err != nil {
				return err
			}
			users, err := serversUsing(tx, inZone(name))
			if err != nil {
				return err
			}
			if len(users) > 0 {
				return conflictf("private DNS zone %s is used by server %s; delete the server first", name, strings.Join(users, ", "))
			}
			links, err := tx.ListPrivateDNSZoneLinks(name)
			if err != nil {
				return err
			}
			if len(links) > 0 {
				return conflictf("private DNS zone %s still has virtual network links (%s); delete them first", name, links[0].Link.Name)
			}
			return nil
		})
}

// Zone links.

func presentLink(l store.PrivateDNSZoneLink) model.PrivateDNSZoneLink {
	out := l.Link
	out.ID = spec.PrivateDNSZoneLinkID(l.Zone, l.Link.Name)
	out.ZoneName = l.Zone
	return out
}

func (a *API) getPrivateDNSZoneLink(w http.ResponseWriter, r *http.Request) {
	zone, name := spec.NormalizeDNSZoneName(r.PathValue("zone")), r.PathValue("link")
	readOne(a, w, func(tx *store.Tx) (model.PrivateDNSZoneLink, error) {
		if _, err := zoneFor(tx, zone); err != nil {
			return model.PrivateDNSZoneLink{}, err
		}
		l, err := tx.GetPrivateDNSZoneLink(zone, name)
		if errors.Is(err, store.ErrNotFound) {
			return model.PrivateDNSZoneLink{}, missing("virtual network link %s not found in zone %s", name, zone)
		}
		return presentLink(l), err
	})
}

func (a *API) putPrivateDNSZoneLink(w http.ResponseWriter, r *http.Request) {
	zone, name := spec.NormalizeDNSZoneName(r.PathValue("zone")), r.PathValue("link")
	var req model.PrivateDNSZoneLink
	if !decode(w, r, &req) {
		return
	}
	req.Name, req.ID, req.ZoneName = name, "", ""
	if errs := spec.ValidatePrivateDNSZoneLink(spec.PrivateDNSZoneLinkConfig{Name: name, PrivateDNSZoneID: spec.PrivateDNSZoneID(zone),
		VirtualNetworkID: req.VirtualNetworkID, RegistrationEnabled: req.RegistrationEnabled}); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	vnet, _ := spec.ParseVirtualNetworkID(req.VirtualNetworkID)
	a.networkOperation(w, controller.KindLinkPut, spec.PrivateDNSZoneLinkID(zone, name), controller.LinkPayload{Zone: zone, VNet: vnet, Link: req},
		func(tx *store.Tx) error {
			if _, err := zoneFor(tx, zone); err != nil {
				return err
			}
			if _, err := tx.GetVirtualNetwork(vnet); errors.Is(err, store.ErrNotFound) {
				return spec.FieldErrors{spec.NewFieldError("virtual_network_id", spec.KindExists,
					"names virtual network %s, which does not exist (create it first, or add depends_on)", vnet)}
			}
			links, err := tx.ListPrivateDNSZoneLinks(zone)
			if err != nil {
				return err
			}
			for _, l := range links {
				if l.VNet == vnet && l.Link.Name != name {
					return conflictf("virtual network %s is already linked to zone %s by link %s", vnet, zone, l.Link.Name)
				}
				if l.Link.Name != name {
					continue
				}
				if errs := spec.ValidatePrivateDNSZoneLinkUpdate(linkConfig(zone, l.Link), linkConfig(zone, req)); len(errs) > 0 {
					return errs
				}
			}
			return nil
		})
}

func (a *API) deletePrivateDNSZoneLink(w http.ResponseWriter, r *http.Request) {
	zone, name := spec.NormalizeDNSZoneName(r.PathValue("zone")), r.PathValue("link")
	a.networkOperation(w, controller.KindLinkDelete, spec.PrivateDNSZoneLinkID(zone, name),
		controller.LinkPayload{Zone: zone, Link: model.PrivateDNSZoneLink{Name: name}},
		func(tx *store.Tx) error {
			l, err := tx.GetPrivateDNSZoneLink(zone, name)
			if errors.Is(err, store.ErrNotFound) {
				return missing("virtual network link %s not found in zone %s", name, zone)
			}
			if err != nil {
				return err
			}
			users, err := serversUsing(tx, func(s model.Server) bool { return inZone(zone)(s) && inVNet(l.VNet)(s) })
			if err != nil {
				return err
			}
			if len(users) > 0 {
				return conflictf("virtual network link %s is used by server %s (its zone and network); delete the server first", name, strings.Join(users, ", "))
			}
			return nil
		})
}

func vnetConfig(v model.VirtualNetwork) spec.VirtualNetworkConfig {
	return spec.VirtualNetworkConfig{Name: v.Name, Location: v.Location, AddressSpace: v.AddressSpace}
}

func linkConfig(zone string, l model.PrivateDNSZoneLink) spec.PrivateDNSZoneLinkConfig {
	return spec.PrivateDNSZoneLinkConfig{Name: l.Name, PrivateDNSZoneID: spec.PrivateDNSZoneID(zone),
		VirtualNetworkID: l.VirtualNetworkID, RegistrationEnabled: l.RegistrationEnabled}
}
