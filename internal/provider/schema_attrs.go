package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
)

// Attribute shapes several resource schemas share.

// serverNameAttribute is the name of a server or of an object named like one (a read replica, a virtual
// endpoint, whose name is a DNS label too): what lead says, then the name rule.
func serverNameAttribute(ctx context.Context, lead string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: lead + " Value " + validators.ServerName().MarkdownDescription(ctx) + ".",
		Required:            true,
		Validators:          []validator.String{validators.ServerName()},
	}
}

// computedKept is a value the cloud sets when it creates the object and never changes afterwards (an ID, a
// name, a host endpoint), so a plan shows the current value instead of "known after apply".
func computedKept(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

// computedKeptPort is computedKept for a port.
func computedKeptPort(description string) schema.Int64Attribute {
	return schema.Int64Attribute{MarkdownDescription: description, Computed: true,
		PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}}
}

// optionalKept is an argument that, unset, the cloud decides (a replica's region, taken from its source; a
// zone it picks): the value it reports is kept, so it never shows as a diff.
func optionalKept(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Optional: true, Computed: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

// optionalWithDefault is an argument with a default value, which the description ends by naming.
func optionalWithDefault(description, value string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description + " Defaults to `" + value + "`.",
		Optional: true, Computed: true, Default: stringdefault.StaticString(value)}
}
