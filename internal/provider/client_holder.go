package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/buildid"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/local"
)

// connectionSettings is what the provider configuration (or the environment) says about the cloud.
type connectionSettings struct {
	Endpoint string
	Token    string
	// Unknown is set while the provider configuration depends on values known only after apply.
	Unknown bool
}

// clientHolder is what resources and data sources receive from Configure. It builds the API client on the
// first call and keeps it: with no endpoint configured that first call finds or starts the local cloud, which
// must not happen while Terraform only plans new resources or validates configuration.
type clientHolder struct {
	settings connectionSettings
	version  string

	mu     sync.Mutex
	client *client.Client
}

func newClientHolder(settings connectionSettings, version string) *clientHolder {
	return &clientHolder{settings: settings, version: version}
}

// errUnknownConfiguration is returned while the provider's own arguments are unknown.
var errUnknownConfiguration = errors.New("the provider configuration (endpoint or token) is not known yet; " +
	"it depends on values known only after apply")

// Client returns the API client, creating it on first use. A failure is not remembered, so a later call (for
// example after the user started Docker) can succeed.
func (h *clientHolder) Client(ctx context.Context) (*client.Client, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client != nil {
		return h.client, nil
	}
	if h.settings.Unknown {
		return nil, errUnknownConfiguration
	}

	// With an endpoint configured Ensure only checks the cloud's build (it is not ours to restart); without
	// one it finds, starts, or restarts from this build the local cloud.
	info, err := local.Ensure(ctx, local.Options{
		Endpoint: h.settings.Endpoint,
		Token:    h.settings.Token,
		Build:    buildid.Of(h.version),
		Progress: func(step string) { tflog.Info(ctx, "flexpg cloud: "+step) },
		Warn:     func(msg string) { tflog.Warn(ctx, "flexpg cloud: "+msg) },
	})
	if err != nil {
		return nil, fmt.Errorf("starting the local flexpg cloud: %w", err)
	}
	endpoint, token := info.Endpoint, info.Token
	tflog.Debug(ctx, "using the flexpg cloud", map[string]any{"endpoint": endpoint, "cloud_id": info.CloudID, "build": info.Build})
	h.client = client.New(endpoint, token, client.WithUserAgent("terraform-provider-flexpg/"+h.version))
	return h.client, nil
}

// clientFrom resolves the client for one CRUD call and reports a failure as a diagnostic. It does nothing
// when diags already holds an error, so callers can collect their preparation errors first.
func clientFrom(ctx context.Context, h *clientHolder, diags *diag.Diagnostics) *client.Client {
	if diags.HasError() {
		return nil
	}
	if h == nil {
		diags.AddError("Provider Not Configured",
			"The flexpg provider was not configured before this call. This is a bug in the provider; please report it.")
		return nil
	}
	c, err := h.Client(ctx)
	var busy *local.BusyError
	if errors.As(err, &busy) {
		diags.AddError("Local flexpg Cloud Runs Another Build", busy.Error())
		return nil
	}
	if err != nil {
		diags.AddError("Unable to Reach the flexpg Cloud",
			"The provider could not connect to the flexpg cloud. Check `endpoint` and `token` in the provider "+
				"configuration (or "+EnvEndpoint+" and "+EnvToken+"); with both unset, check that Docker is running.\n\n"+
				"Original Error: "+err.Error())
		return nil
	}
	return c
}

// holderFromProviderData is the shared body of every Configure method.
func holderFromProviderData(data any, diags *diag.Diagnostics) *clientHolder {
	if data == nil {
		// Terraform calls Configure before the provider is configured, for example during validation.
		return nil
	}
	h, ok := data.(*clientHolder)
	if !ok {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *clientHolder, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return h
}
