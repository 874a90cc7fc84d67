package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// networkDestroyCheck returns the destroy check of a network resource of type typ with ID id, or nil when typ
// is not a network resource.
func networkDestroyCheck(typ, id string) (resource.TestCheckFunc, error) {
	switch typ {
	case typeVirtualNetwork:
		vnet, err := spec.ParseVirtualNetworkID(id)
		if err != nil {
			return nil, err
		}
		return CheckVirtualNetworkDestroyed(vnet), nil
	case typeSubnet:
		vnet, subnet, err := spec.ParseSubnetID(id)
		if err != nil {
			return nil, err
		}
		return CheckSubnetDestroyed(vnet, subnet), nil
	case typePrivateDNSZone:
		zone, err := spec.ParsePrivateDNSZoneID(id)
		if err != nil {
			return nil, err
		}
		return CheckPrivateDNSZoneDestroyed(zone), nil
	case typePrivateDNSZoneLink:
		zone, link, err := spec.ParsePrivateDNSZoneLinkID(id)
		if err != nil {
			return nil, err
		}
		return CheckPrivateDNSZoneLinkDestroyed(zone, link), nil
	}
	return nil, nil
}

// CheckVirtualNetworkDestroyed checks that the cloud has no virtual network with this name.
func CheckVirtualNetworkDestroyed(vnet string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("virtual network %q", vnet), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetVirtualNetwork(ctx, vnet)
		return err
	})
}

// CheckSubnetDestroyed checks that the network has no such subnet (or that the network is gone).
func CheckSubnetDestroyed(vnet, subnet string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("subnet %q of virtual network %q", subnet, vnet), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetSubnet(ctx, vnet, subnet)
		return err
	})
}

// CheckPrivateDNSZoneDestroyed checks that the cloud has no such private DNS zone.
func CheckPrivateDNSZoneDestroyed(zone string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("private DNS zone %q", zone), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetPrivateDNSZone(ctx, zone)
		return err
	})
}

// CheckPrivateDNSZoneLinkDestroyed checks that the zone has no such link (or that the zone is gone).
func CheckPrivateDNSZoneLinkDestroyed(zone, link string) resource.TestCheckFunc {
	return checkGone(fmt.Sprintf("virtual network link %q of private DNS zone %q", link, zone), func(c *client.Client) error {
		ctx, cancel := checkContext()
		defer cancel()
		_, err := c.GetPrivateDNSZoneLink(ctx, zone, link)
		return err
	})
}

// CheckSubnetDeleteRefused deletes a subnet directly through the API, behind Terraform's back, and passes
// when the cloud refuses with a conflict whose message names want (the server that still uses it).
func CheckSubnetDeleteRefused(vnet, subnet, want string) resource.TestCheckFunc {
	return checkDeleteRefused(fmt.Sprintf("subnet %q of virtual network %q", subnet, vnet), want,
		func(ctx context.Context, c *client.Client) (*model.Operation, error) {
			return c.DeleteSubnet(ctx, vnet, subnet)
		})
}

// CheckPrivateDNSZoneDeleteRefused is CheckSubnetDeleteRefused for a private DNS zone.
func CheckPrivateDNSZoneDeleteRefused(zone, want string) resource.TestCheckFunc {
	return checkDeleteRefused(fmt.Sprintf("private DNS zone %q", zone), want,
		func(ctx context.Context, c *client.Client) (*model.Operation, error) {
			return c.DeletePrivateDNSZone(ctx, zone)
		})
}

// checkDeleteRefused runs del and requires a conflict naming want. A delete the cloud accepts fails the check
// and is waited for, so the failure is not followed by a half-deleted object.
func checkDeleteRefused(what, want string, del func(context.Context, *client.Client) (*model.Operation, error)) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := envClient()
		if err != nil {
			return err
		}
		ctx, cancel := checkContext()
		defer cancel()
		op, err := del(ctx, c)
		_, err = c.Do(ctx, op, err, nil)
		switch {
		case err == nil:
			return fmt.Errorf("deleting %s succeeded; want a conflict naming %q", what, want)
		case !errors.Is(err, client.ErrConflict):
			return fmt.Errorf("deleting %s: want a conflict naming %q, got: %w", what, want, err)
		case !strings.Contains(err.Error(), want):
			return fmt.Errorf("deleting %s was refused, but the error does not name %q: %w", what, want, err)
		}
		return nil
	}
}
