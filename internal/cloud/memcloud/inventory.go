package memcloud

import (
	"context"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Resources lists the IDs of every resource the cloud keeps a record of: servers, virtual networks,
// subnets, private DNS zones and their links. A test's destroy check wants it empty.
func (c *Cloud) Resources() ([]string, error) {
	kinds := []func(*store.Tx) ([]string, error){
		idsOf((*store.Tx).ListServers, func(s store.Server) string { return spec.ServerID(s.Spec.Name) }),
		idsOf((*store.Tx).ListVirtualNetworks, func(v store.VirtualNetwork) string { return spec.VirtualNetworkID(v.VNet.Name) }),
		idsOf((*store.Tx).ListAllSubnets, func(s store.Subnet) string { return spec.SubnetID(s.VNet, s.Subnet.Name) }),
		idsOf((*store.Tx).ListPrivateDNSZones, func(z store.PrivateDNSZone) string { return spec.PrivateDNSZoneID(z.Zone.Name) }),
		idsOf((*store.Tx).ListAllPrivateDNSZoneLinks, func(l store.PrivateDNSZoneLink) string {
			return spec.PrivateDNSZoneLinkID(l.Zone, l.Link.Name)
		}),
	}
	var ids []string
	err := c.store.View(func(tx *store.Tx) error {
		for _, list := range kinds {
			more, err := list(tx)
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		return nil
	})
	return ids, err
}

// idsOf turns a list of records into their resource IDs.
func idsOf[T any](list func(*store.Tx) ([]T, error), id func(T) string) func(*store.Tx) ([]string, error) {
	return func(tx *store.Tx) ([]string, error) {
		records, err := list(tx)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, len(records))
		for _, r := range records {
			out = append(out, id(r))
		}
		return out, nil
	}
}

// cloudResourcePrefix starts the resource label of the objects the cloud keeps for itself (its public
// network and its spare data volumes), which are not any resource's.
const cloudResourcePrefix = "/cloud/"

// Leftovers lists the engine objects (containers, volumes, networks) the cloud holds for its resources. Once
// every resource is deleted there must be none: the cloud's own public network and the spare volumes it
// keeps ready do not count, but a spare volume a server adopted does, since it is then the server's data.
func (c *Cloud) Leftovers(ctx context.Context) ([]runtime.Object, error) {
	objs, err := c.rt.List(ctx, runtime.Labels{runtime.LabelCloud: c.cloudID})
	if err != nil {
		return nil, err
	}
	spares := map[string]bool{}
	if err := c.store.View(func(tx *store.Tx) error {
		list, err := tx.ListSpares()
		for _, s := range list {
			spares[s.Volume] = true
		}
		return err
	}); err != nil {
		return nil, err
	}
	var out []runtime.Object
	for _, o := range objs {
		cloudOwn := strings.HasPrefix(o.Labels[runtime.LabelResource], cloudResourcePrefix)
		spareVolume := o.Kind == runtime.KindVolume && o.Labels[runtime.LabelRole] == controller.RoleSpareData
		if !cloudOwn || (spareVolume && !spares[o.Name]) {
			out = append(out, o)
		}
	}
	return out, nil
}
