package controller

import (
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Engine object names embed a short form of the cloud ID, so two clouds (a user's and a test's) on one
// machine never collide.
func (c *Controller) shortID() string {
	if len(c.cfg.CloudID) > 8 {
		return c.cfg.CloudID[:8]
	}
	return c.cfg.CloudID
}

func (c *Controller) containerName(server string) string {
	return "flexpg-" + c.shortID() + "-" + server
}

func (c *Controller) volumeName(server string) string {
	return "flexpg-" + c.shortID() + "-" + server + "-data"
}

func (c *Controller) publicNetworkName() string {
	return "flexpg-" + c.shortID() + "-public"
}

// labels returns the ownership labels of an object belonging to resourceID.
func (c *Controller) labels(resourceID, role string) runtime.Labels {
	l := runtime.Labels{
		runtime.LabelManaged:  "true",
		runtime.LabelCloud:    c.cfg.CloudID,
		runtime.LabelResource: resourceID,
		runtime.LabelRole:     role,
	}
	for k, v := range c.cfg.Labels {
		l[k] = v
	}
	return l
}

func serverResource(name string) string { return spec.ServerID(name) }
