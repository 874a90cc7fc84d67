package controller

import "github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"

// zoneKey names a zone of a region.
func zoneKey(location, zone string) string { return location + "/" + zone }

// downZones returns the zones `cloud fault zone-down` has taken down, by zoneKey.
func (c *Controller) downZones() (map[string]bool, error) {
	down := map[string]bool{}
	err := c.store.View(func(tx *store.Tx) error {
		zones, err := tx.ListDownZones()
		for _, z := range zones {
			down[zoneKey(z.Location, z.Zone)] = true
		}
		return err
	})
	return down, err
}
