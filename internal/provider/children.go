package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Helpers shared by the resources that live under a server (firewall rules, configurations, databases).

// known reports whether a configuration value can be checked now.
func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// serverNameFrom returns the server name of a server_id value; the schema validator has already checked
// the form, so a failure here means corrupted state.
func serverNameFrom(serverID types.String, diags *diag.Diagnostics) string {
	name, err := spec.ParseServerID(serverID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("server_id"), "Invalid Server ID", err.Error())
	}
	return name
}

// importChild sets id, server_id and name from the ID of a server child, /flexibleServers/<s>/<collection>/<n>.
func importChild(ctx context.Context, id, collection string, resp *resource.ImportStateResponse) {
	server, name, err := spec.ParseChildID(id, collection)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import by ID, /%s/<server>/%s/<name>: %s", spec.CollectionServers, collection, err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("server_id"), spec.ServerID(server))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

// keepSpelling returns prior when it names the same value as current in another letter case, so a
// case-insensitive attribute (a charset) never shows a diff, or replaces, for spelling alone.
func keepSpelling(prior types.String, current string) types.String {
	if known(prior) && strings.EqualFold(prior.ValueString(), current) {
		return prior
	}
	return types.StringValue(current)
}
