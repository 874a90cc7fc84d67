// Command terraform-provider-flexpg is both the flexpg Terraform provider and the simulated cloud it talks to.
//
// Run by Terraform (no arguments, or -debug) it serves the provider over protocol 6. Run by a person as
// `terraform-provider-flexpg cloud <verb> ...` it is the cloud daemon and its operator CLI.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/flexpg/terraform-provider-flexpg/internal/cli"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=..."); "dev" marks a local build.
var version = "dev"

// providerAddress must match the -provider-name given to tfplugindocs and the registry namespace.
const providerAddress = "registry.terraform.io/flexpg/flexpg"

func main() {
	ctx := context.Background()

	// The cloud verbs are dispatched before flag parsing so that they own their own flags. The cloud reports
	// the same version as the provider, so the two can tell whether they are one build.
	cli.Version = version
	if len(os.Args) > 1 && os.Args[1] == "cloud" {
		os.Exit(cli.Main(ctx, os.Args[2:]))
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	opts := providerserver.ServeOpts{
		Address:         providerAddress,
		Debug:           debug,
		ProtocolVersion: 6,
	}
	if err := providerserver.Serve(ctx, provider.New(version), opts); err != nil {
		log.Fatal(err)
	}
}
