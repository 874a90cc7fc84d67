package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Helpers shared by the network resources: flexpg_virtual_network, flexpg_subnet, flexpg_private_dns_zone and
// flexpg_private_dns_zone_virtual_network_link. Their IDs are functions of their names, planned before apply
// (planmodifiers.IDFromAttributes), so the functions here build IDs the same way the plan does and after
// reading the cloud. Zone names are case-insensitive and the cloud stores them lowercased, so a zone's ID
// always uses the lowercase name.

func virtualNetworkIDFrom(v []string) (string, bool) {
	if spec.ValidateVirtualNetworkName(v[0]) != nil {
		return "", false
	}
	return spec.VirtualNetworkID(v[0]), true
}

// subnetIDFrom builds a subnet ID from virtual_network_id and name.
func subnetIDFrom(v []string) (string, bool) {
	vnet, err := spec.ParseVirtualNetworkID(v[0])
	if err != nil || spec.ValidateSubnetName(v[1]) != nil {
		return "", false
	}
	return spec.SubnetID(vnet, v[1]), true
}

func privateDNSZoneIDFrom(v []string) (string, bool) {
	if spec.ValidatePrivateDNSZoneName(v[0]) != nil {
		return "", false
	}
	return spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(v[0])), true
}

// linkIDFrom builds a link ID from private_dns_zone_id and name.
func linkIDFrom(v []string) (string, bool) {
	zone, err := spec.ParsePrivateDNSZoneID(v[0])
	if err != nil || spec.ValidateLinkName(v[1]) != nil {
		return "", false
	}
	return spec.PrivateDNSZoneLinkID(spec.NormalizeDNSZoneName(zone), v[1]), true
}

// virtualNetworkIDAttribute is the virtual_network_id argument of a subnet or a zone link.
func virtualNetworkIDAttribute(ctx context.Context) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "ID of the virtual network (`flexpg_virtual_network.<name>.id`); " +
			validators.VirtualNetworkID().MarkdownDescription(ctx) + ".",
		Required:   true,
		Validators: []validator.String{validators.VirtualNetworkID()},
	}
}

// stringValues returns the known elements of a list of strings, and whether the list or any element was
// unknown.
func stringValues(l types.List) (values []string, unknown bool) {
	if l.IsUnknown() {
		return nil, true
	}
	for _, e := range l.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			unknown = true
			continue
		}
		values = append(values, s.ValueString())
	}
	return values, unknown
}

// unknownFields collects the spec field paths of attributes whose configured values are unknown, so their
// errors can be dropped at plan time (spec reads a zero value as "not set").
type unknownFields []string

func (u *unknownFields) str(field string, v types.String) string {
	if v.IsUnknown() {
		*u = append(*u, field)
	}
	return v.ValueString()
}

// num is str for numbers.
func (u *unknownFields) num(field string, v types.Int64) int64 {
	if v.IsUnknown() {
		*u = append(*u, field)
	}
	return v.ValueInt64()
}

// required adds the required attributes the configuration leaves null: Terraform reports a missing required
// argument itself, and spec's "is required" would say it again.
func (u *unknownFields) required(attrs map[string]types.String) {
	for field, v := range attrs {
		if v.IsNull() {
			*u = append(*u, field)
		}
	}
}
