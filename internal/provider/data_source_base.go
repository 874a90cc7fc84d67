package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
)

// dataSourceBase is what every data source shares: the client holder the provider configures it with, and
// the start of a Read.
type dataSourceBase struct {
	holder *clientHolder
}

func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.holder = holderFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// beginRead bounds ctx by the configuration's read timeout and resolves the client. The caller returns when
// diags then holds an error, and always calls cancel.
func (d *dataSourceBase) beginRead(ctx context.Context, t timeouts.Value, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *client.Client) {
	timeout, d2 := t.Read(ctx, defaultReadTimeout)
	diags.Append(d2...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, clientFrom(ctx, d.holder, diags)
}
