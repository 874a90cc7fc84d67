package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Helpers shared by the resources that live under a server (firewall rules, configurations, databases).

// known reports whether a configuration value can be checked now.
func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// serverIDAttribute is the server_id argument of a server's child.
func serverIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "ID of the server (`flexpg_server.<name>.id`).",
		Required:            true,
		Validators:          []validator.String{validators.ServerID("server_id")},
	}
}

// serverNameFrom returns the server name of a server_id value; the schema validator has already checked
// the form, so a failure here means corrupted state.
func serverNameFrom(serverID types.String, diags *diag.Diagnostics) string {
	return serverNameAt("server_id", serverID, diags)
}

// serverNameAt is serverNameFrom for a server ID held in the attribute attribute.
func serverNameAt(attribute string, serverID types.String, diags *diag.Diagnostics) string {
	name, err := spec.ParseServerID(serverID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root(attribute), "Invalid Server ID", err.Error())
	}
	return name
}

// keepSpelling returns prior when it names the same value as current in another letter case, so a
// case-insensitive attribute (a charset) never shows a diff, or replaces, for spelling alone.
func keepSpelling(prior types.String, current string) types.String {
	if known(prior) && strings.EqualFold(prior.ValueString(), current) {
		return prior
	}
	return types.StringValue(current)
}
