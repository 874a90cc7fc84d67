// Package acctest holds what the provider's acceptance tests share: the in-process provider factories, the
// pre-check, a client for the cloud under test, random names, and destroy/exists/disappears helpers built on
// the same client finders the provider uses.
//
// Acceptance tests run with TF_ACC=1 against the cloud named by FLEXPG_ENDPOINT and FLEXPG_TOKEN. When
// FLEXPG_ENDPOINT is empty, Main starts one with StartCloud (cloud.go) for the whole test binary.
package acctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
)

// ProviderName is the provider's local name in test configurations.
const ProviderName = provider.TypeName

// ProtoV6ProviderFactories runs the provider in process (protocol 6), so tests need no installed binary and
// can be debugged.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: providerserver.NewProtocol6WithError(provider.New("test")()),
}

// envAcceptance is Terraform's switch for acceptance tests.
const envAcceptance = "TF_ACC"

// PreCheck fails the test (it does not skip it) when the cloud under test is not configured: an acceptance
// run that silently tests nothing would look green.
func PreCheck(t *testing.T) {
	t.Helper()
	for _, name := range []string{provider.EnvEndpoint, provider.EnvToken} {
		if os.Getenv(name) == "" {
			t.Fatalf("%s must be set for acceptance tests (TestMain starts a cloud and sets it when %s is empty; "+
				"did StartCloud fail?)", name, provider.EnvEndpoint)
		}
	}
}

// Client returns a client for the cloud under test.
func Client(t *testing.T) *client.Client {
	t.Helper()
	c, err := envClient()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// envClient builds a client from FLEXPG_ENDPOINT and FLEXPG_TOKEN, for checks that get no *testing.T.
func envClient() (*client.Client, error) {
	endpoint := os.Getenv(provider.EnvEndpoint)
	if endpoint == "" {
		return nil, errors.New(provider.EnvEndpoint + " is not set; acceptance checks need the cloud under test")
	}
	return client.New(endpoint, os.Getenv(provider.EnvToken), client.WithUserAgent("terraform-provider-flexpg-acctest")), nil
}

// checkTimeout bounds one destroy/exists check.
const checkTimeout = 2 * time.Minute

func checkContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), checkTimeout)
}

// Main runs a test binary. Under TF_ACC with no FLEXPG_ENDPOINT, it first starts a cloud with StartCloud,
// exports its endpoint and token for the provider and the checks, and stops it after the run. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }
//
// With no endpoint configured, the provider starts the local cloud by running its own executable with
// `cloud serve`; in a test that executable is the test binary, which would run the tests again (and again).
// Main refuses that invocation, so a test that reaches for the local cloud fails fast instead.
func Main(m *testing.M) int {
	if len(os.Args) > 1 && os.Args[1] == "cloud" {
		fmt.Fprintln(os.Stderr, "this is a test binary, not the flexpg cloud: tests must set an endpoint "+
			"(FLEXPG_ENDPOINT or the provider's endpoint) instead of starting the local cloud")
		return 2
	}
	if os.Getenv(envAcceptance) == "" || os.Getenv(provider.EnvEndpoint) != "" {
		return m.Run()
	}
	endpoint, token, stop, err := StartCloud()
	if err != nil {
		fmt.Fprintf(os.Stderr, "acceptance tests: starting the flexpg cloud: %v\n", err)
		return 1
	}
	defer stop()
	if err := os.Setenv(provider.EnvEndpoint, endpoint); err != nil {
		fmt.Fprintf(os.Stderr, "acceptance tests: %v\n", err)
		return 1
	}
	if err := os.Setenv(provider.EnvToken, token); err != nil {
		fmt.Fprintf(os.Stderr, "acceptance tests: %v\n", err)
		return 1
	}
	return m.Run()
}
