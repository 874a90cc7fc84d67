package provider_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flexpg/terraform-provider-flexpg/internal/acctest"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/memcloud"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// The flow tests apply real configurations through Terraform (no TF_ACC) against memcloud: the cloud's real
// API, controller and store over an in-memory engine, so no Docker. They prove the provider's side of every
// flow against the cloud's real validation, defaults and errors: what it sends, how it waits, what it
// stores, and what it plans from the state the cloud reports. The acceptance tests prove the same against
// the real cloud with PostgreSQL in Docker.

// flowServer is the name of the server the flow tests create.
const flowServer = "fake-server"

// flowTimeout bounds every wait of a flow test on the cloud.
const flowTimeout = 30 * time.Second

// flowTestCase requires that destroy leaves the cloud empty: no record of any resource, and no engine
// object the cloud made for one.
func flowTestCase(c *memcloud.Cloud, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             func(*terraform.State) error { return cloudEmpty(c) },
		Steps:                    steps,
	}
}

func cloudEmpty(c *memcloud.Cloud) error {
	ids, err := c.Resources()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
	defer cancel()
	objs, err := c.Leftovers(ctx)
	if err != nil {
		return err
	}
	if len(ids)+len(objs) != 0 {
		names := make([]string, 0, len(objs))
		for _, o := range objs {
			names = append(names, string(o.Kind)+" "+o.Name)
		}
		return fmt.Errorf("left after destroy: resources %v, engine objects %v", ids, names)
	}
	return nil
}

// providerHCL configures the provider for the cloud.
func providerHCL(c *memcloud.Cloud) string {
	return fmt.Sprintf("provider \"flexpg\" {\n  endpoint = %q\n  token    = %q\n}\n", c.Endpoint(), c.Token())
}

// flowServerHCL is the flow tests' server on the cloud.
func flowServerHCL(c *memcloud.Cloud, overrides map[string]string, extra string) string {
	return providerHCL(c) + testAccServerHCL(flowServer, overrides, extra)
}

// checkCloud runs fn on the cloud after a step.
func checkCloud(fn func() error) resource.TestCheckFunc {
	return func(*terraform.State) error { return fn() }
}

// planCheckCloud runs fn on the cloud between plan and apply.
func planCheckCloud(fn func() error) plancheck.PlanCheck { return cloudPlanCheck(fn) }

type cloudPlanCheck func() error

func (fn cloudPlanCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = fn()
}

// flowServerRecord reads the flow server's record, or fails the check.
func flowServerRecord(c *memcloud.Cloud, check func(s store.Server) error) resource.TestCheckFunc {
	return flowRecord(c, flowServer, check)
}

// flowRecord reads the record of the server name, or fails the check.
func flowRecord(c *memcloud.Cloud, name string, check func(s store.Server) error) resource.TestCheckFunc {
	return checkCloud(func() error {
		s, err := c.Server(name)
		if err != nil {
			return err
		}
		return check(s)
	})
}

// flowContext is a context for a wait of a test on the cloud.
func flowContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
	t.Cleanup(cancel)
	return ctx
}

// createOutOfBand creates a server as someone else would, through the API.
func createOutOfBand(t *testing.T, c *memcloud.Cloud, name string) {
	t.Helper()
	ctx := flowContext(t)
	s := model.Server{Name: name, Location: "westeurope", SKUName: "B_Standard_B1ms", AdministratorLogin: "pgadmin",
		AdministratorPassword: "Some0ne-Else's!"}
	op, err := c.Client().PutServer(ctx, name, s, true)
	if _, err := c.Client().Do(ctx, op, err, nil); err != nil {
		t.Fatalf("create server %s out of band: %v", name, err)
	}
}

// deleteOutOfBand deletes a server as someone else would, through the API.
func deleteOutOfBand(c *memcloud.Cloud, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
	defer cancel()
	op, err := c.Client().DeleteServer(ctx, name)
	_, err = c.Client().Do(ctx, op, err, nil)
	return err
}

// restarts counts the restarts of a server's instance: each stops its container.
func restarts(c *memcloud.Cloud, server string) int {
	n := 0
	for _, call := range c.Runtime().Calls() {
		if call == "StopContainer "+c.Container(server) {
			n++
		}
	}
	return n
}

func mergeAttrs(base, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
