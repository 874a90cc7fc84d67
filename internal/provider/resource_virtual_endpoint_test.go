package provider_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Acceptance tests of virtual endpoints (TF_ACC=1): the names resolve in the cloud's DNS and each has a
// host endpoint on this machine that follows the server it reaches.

// checkCloudEndpoint checks in the cloud which servers the endpoint name of server reaches now.
func checkCloudEndpoint(t *testing.T, server, name, writer, reader string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		e, err := acctest.Client(t).GetVirtualEndpoint(ctx, server, name)
		if err != nil {
			return err
		}
		if e.WriterServerID != writer || e.ReaderServerID != reader {
			return fmt.Errorf("virtual endpoint %s: writer %s, reader %s; want %s, %s", name, e.WriterServerID, e.ReaderServerID, writer, reader)
		}
		return nil
	}
}

// TestAccVirtualEndpoint_basic creates an endpoint over a server and its replica, imports it, and moves its
// reader to the primary in place: the names and ports stay, the reader then reaches the primary.
func TestAccVirtualEndpoint_basic(t *testing.T) {
	source, replica, name := acctest.RandomName("vesrc"), acctest.RandomName("verr"), acctest.RandomName("ve")
	config := func(reader string) string {
		return accReplicationHCL(source, replica, nil) + endpointBlockHCL(name, "flexpg_server.test.id", reader)
	}
	at := func(attr string, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(endpointAddr, tfjsonpath.New(attr), v)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameWriterPort := statecheck.CompareValue(compare.ValuesSame())
	sameReaderPort := statecheck.CompareValue(compare.ValuesSame())
	kept := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameID.AddStateValue(endpointAddr, tfjsonpath.New("id")),
			sameWriterPort.AddStateValue(endpointAddr, tfjsonpath.New("writer_port")),
			sameReaderPort.AddStateValue(endpointAddr, tfjsonpath.New("reader_port")),
		}
	}
	const login, password = "pgadmin", "Str0ng-Passw0rd!"
	resource.Test(t, accTestCase(t,
		resource.TestStep{
			Config: config("flexpg_read_replica.test.id"),
			ConfigStateChecks: append(kept(),
				at("id", knownvalue.StringExact(spec.VirtualEndpointID(source, name))),
				at("source_server_id", knownvalue.StringExact(spec.ServerID(source))),
				at("replica_server_id", knownvalue.StringExact(spec.ServerID(replica))),
				at("type", knownvalue.StringExact(spec.VirtualEndpointTypeReadWrite)),
				at("writer_fqdn", knownvalue.StringExact(spec.WriterFQDN(name))),
				at("reader_fqdn", knownvalue.StringExact(spec.ReaderFQDN(name))),
				at("writer_host", knownvalue.StringExact("127.0.0.1")),
				at("reader_host", knownvalue.StringExact("127.0.0.1")),
				at("writer_port", knownvalue.NotNull()),
				at("reader_port", knownvalue.NotNull()),
			),
			Check: resource.ComposeTestCheckFunc(
				checkCloudEndpoint(t, source, name, spec.ServerID(source), spec.ServerID(replica)),
				acctest.CheckReachesPrimary(endpointAddr, "writer_host", "writer_port", login, password, true),
				acctest.CheckReachesPrimary(endpointAddr, "reader_host", "reader_port", login, password, false),
			),
		},
		resource.TestStep{
			ResourceName:      endpointAddr,
			ImportState:       true,
			ImportStateId:     spec.VirtualEndpointID(source, name),
			ImportStateVerify: true,
		},
		resource.TestStep{
			Config: config("flexpg_server.test.id"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(endpointAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: append(kept(), at("replica_server_id", knownvalue.StringExact(spec.ServerID(source)))),
			Check: resource.ComposeTestCheckFunc(
				checkCloudEndpoint(t, source, name, spec.ServerID(source), spec.ServerID(source)),
				acctest.CheckReachesPrimary(endpointAddr, "reader_host", "reader_port", login, password, true),
			),
		},
	))
}
