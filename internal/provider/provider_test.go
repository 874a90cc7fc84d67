package provider_test

import (
	"context"
	"os"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
)

// TestMain starts a cloud for the acceptance tests when TF_ACC is set and FLEXPG_ENDPOINT is not.
func TestMain(m *testing.M) {
	os.Exit(acctest.Main(m))
}

func TestProviderSchema(t *testing.T) {
	ctx := context.Background()
	resp := &fwprovider.SchemaResponse{}
	provider.New("test")().Schema(ctx, fwprovider.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if !resp.Schema.Attributes["token"].IsSensitive() {
		t.Error("token must be sensitive")
	}
	for _, name := range []string{"endpoint", "token"} {
		a, ok := resp.Schema.Attributes[name]
		if !ok {
			t.Fatalf("provider schema has no %s", name)
		}
		if !a.IsOptional() {
			t.Errorf("%s must be optional: unset means the local cloud", name)
		}
	}
}
