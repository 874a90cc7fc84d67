package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &caCertificateDataSource{}
	_ datasource.DataSourceWithConfigure = &caCertificateDataSource{}
)

// NewCACertificateDataSource is the flexpg_ca_certificate data source.
func NewCACertificateDataSource() datasource.DataSource {
	return &caCertificateDataSource{}
}

type caCertificateDataSource struct {
	dataSourceBase
}

func (d *caCertificateDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ca_certificate"
}

func (d *caCertificateDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the certificate of the cloud's certificate authority, which signs every server's " +
			"certificate. Give it to clients as the root certificate to connect with `sslmode=verify-full`.",
		Attributes: map[string]schema.Attribute{
			"certificate_pem": schema.StringAttribute{
				MarkdownDescription: "The CA certificate, PEM encoded.",
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *caCertificateDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config caCertificateDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, c := d.beginRead(ctx, config.Timeouts, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	pem, err := c.GetCACertificate(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading CA Certificate", "Could not read the cloud's CA certificate", err)
		return
	}
	config.CertificatePEM = types.StringValue(pem)
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}

type caCertificateDataSourceModel struct {
	CertificatePEM types.String   `tfsdk:"certificate_pem"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}
