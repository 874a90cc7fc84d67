package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Helpers shared by the network resources: flexpg_virtual_network, flexpg_subnet, flexpg_private_dns_zone and
// flexpg_private_dns_zone_virtual_network_link. Their IDs are functions of their names, planned before apply
// (planmodifiers.IDFromAttributes), so the functions here build IDs the same way the plan does.

// networkObject names one network resource in diagnostics and logs.
type networkObject struct {
	Kind string // title case, for summaries: "Subnet"
	Noun string // lower case, for sentences: "subnet"
	What string // the object in a sentence: `subnet "db" of virtual network "vnet1"`
	ID   string
}

// networkCreate is the create flow of a network resource. PUT creates or replaces, so it first looks for an
// existing object (taking one over silently would hide it from whoever made it), then starts the PUT and
// waits. When the cloud accepted the PUT but the operation failed, savePartial records the planned object so
// Terraform tracks it (as tainted) instead of losing it. It returns false when the caller must stop.
func networkCreate(ctx context.Context, c *client.Client, obj networkObject, find func() error,
	put func() (*model.Operation, error), savePartial func(), diags *diag.Diagnostics) bool {
	summary := "Error Creating " + obj.Kind
	switch err := find(); {
	case err == nil:
		diags.AddAttributeError(path.Root("name"), obj.Kind+" Already Exists",
			fmt.Sprintf("The flexpg cloud already has %s. To manage it with Terraform, import it: "+
				"terraform import <resource address> %s", obj.What, obj.ID))
		return false
	case !errors.Is(err, client.ErrNotFound):
		addAPIError(diags, summary, "Could not check for an existing "+obj.What, err)
		return false
	}

	tflog.Info(ctx, "creating "+obj.Noun, map[string]any{"id": obj.ID})
	op, err := startRetryingBusy(ctx, put)
	if err != nil {
		addAPIError(diags, summary, "The cloud refused to create "+obj.What, err)
		return false
	}
	if err := waitForOperation(ctx, c, op); err != nil {
		savePartial()
		addAPIError(diags, summary, fmt.Sprintf("The cloud accepted %s but creating it did not finish; "+
			"Terraform saved it as tainted and will replace it on the next apply", obj.What), err)
		return false
	}
	return true
}

// networkUpdate applies a PUT of the whole desired object.
func networkUpdate(ctx context.Context, c *client.Client, obj networkObject, put func() (*model.Operation, error), diags *diag.Diagnostics) bool {
	tflog.Info(ctx, "updating "+obj.Noun, map[string]any{"id": obj.ID})
	if err := mutate(ctx, c, put); err != nil {
		addAPIError(diags, "Error Updating "+obj.Kind, "Could not update "+obj.What, err)
		return false
	}
	return true
}

// networkDelete deletes a network object. An object already gone is not an error. The cloud refuses to
// delete an object still in use (a subnet or zone a server uses, a network with subnets) with a conflict
// whose message names the users; that is reported as such, with what to do.
func networkDelete(ctx context.Context, c *client.Client, obj networkObject, del func() (*model.Operation, error), diags *diag.Diagnostics) {
	tflog.Info(ctx, "deleting "+obj.Noun, map[string]any{"id": obj.ID})
	err := mutate(ctx, c, del)
	var apiErr *client.APIError
	switch {
	case err == nil, errors.Is(err, client.ErrNotFound):
	case errors.Is(err, client.ErrConflict) && !errors.Is(err, client.ErrBusy) && errors.As(err, &apiErr):
		diags.AddError(obj.Kind+" In Use",
			fmt.Sprintf("The cloud refused to delete %s because it is still in use: %s\n\n"+
				"Terraform deletes resources in dependency order, so whatever uses it is not managed in this "+
				"configuration, or does not reference this %s (reference its id attribute, or add depends_on, so "+
				"Terraform deletes the user first).", obj.What, apiErr.Message, obj.Noun))
	default:
		addAPIError(diags, "Error Deleting "+obj.Kind, "Could not delete "+obj.What, err)
	}
}

// readAfterChange reports a failed read of an object the provider just created or changed.
func readAfterChange(diags *diag.Diagnostics, obj networkObject, err error) {
	addAPIError(diags, "Error Reading "+obj.Kind, "Could not read "+obj.What+" after changing it", err)
}

// Building IDs from names, the same way in the plan (IDFromAttributes) and after reading the cloud. Zone names
// are case-insensitive and the cloud stores them lowercased, so a zone's ID always uses the lowercase name.

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
