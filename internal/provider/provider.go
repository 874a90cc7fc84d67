// Package provider is the Terraform glue of flexpg: schemas, plan modifiers, expand/flatten between Terraform
// values and the cloud's API documents, and diagnostics. The rules themselves live in internal/spec.
package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ provider.Provider = &flexpgProvider{}

// Environment variables that stand in for the provider arguments.
const (
	EnvEndpoint = "FLEXPG_ENDPOINT"
	EnvToken    = "FLEXPG_TOKEN"
)

// TypeName is the provider's type name, the prefix of every resource and data source type.
const TypeName = "flexpg"

// New returns a factory for the provider; version is "dev" for local builds, "test" in tests, or the release.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &flexpgProvider{version: version}
	}
}

type flexpgProvider struct {
	version string
}

type flexpgProviderModel struct {
	Endpoint types.String `tfsdk:"endpoint"`
	Token    types.String `tfsdk:"token"`
}

func (p *flexpgProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *flexpgProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The flexpg provider manages PostgreSQL flexible servers in flexpg, a local simulated " +
			"cloud that behaves like Azure Database for PostgreSQL Flexible Server and runs every server as real " +
			"PostgreSQL in Docker. With `endpoint` and `token` unset, the provider uses the local cloud and starts " +
			"it on demand.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the flexpg cloud API, for example `http://127.0.0.1:8642`. " +
					"Can also be set with the `" + EnvEndpoint + "` environment variable. When neither this nor " +
					"`token` is set, the provider uses the local cloud on this machine and starts it if no cloud answers.",
				Optional: true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "API token of the flexpg cloud. Can also be set with the `" + EnvToken +
					"` environment variable. Requires `endpoint`.",
				Optional:  true,
				Sensitive: true,
			},
		},
	}
}

// Configure only records where the cloud is: the client is built (and the local cloud started) on the first
// API call, so that planning new resources and plan-time validation never need a running cloud.
func (p *flexpgProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config flexpgProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	settings := connectionSettings{
		Endpoint: os.Getenv(EnvEndpoint),
		Token:    os.Getenv(EnvToken),
		Unknown:  config.Endpoint.IsUnknown() || config.Token.IsUnknown(),
	}
	if !config.Endpoint.IsNull() && !config.Endpoint.IsUnknown() {
		settings.Endpoint = config.Endpoint.ValueString()
	}
	if !config.Token.IsNull() && !config.Token.IsUnknown() {
		settings.Token = config.Token.ValueString()
	}
	if !settings.Unknown && settings.Endpoint == "" && settings.Token != "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing flexpg Endpoint",
			"A token is set (in the provider configuration or "+EnvToken+") but no endpoint is. Set `endpoint` "+
				"(or "+EnvEndpoint+") to the cloud the token belongs to, or unset the token to use the local cloud.")
		return
	}

	holder := newClientHolder(settings, p.version)
	resp.ResourceData = holder
	resp.DataSourceData = holder
}

func (p *flexpgProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewDatabaseResource,
		NewFirewallRuleResource,
		NewPrivateDNSZoneLinkResource,
		NewPrivateDNSZoneResource,
		NewReadReplicaResource,
		NewServerConfigurationResource,
		NewServerResource,
		NewSubnetResource,
		NewVirtualEndpointResource,
		NewVirtualNetworkResource,
	}
}

func (p *flexpgProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCACertificateDataSource,
		NewServerBackupsDataSource,
		NewServerDataSource,
	}
}
