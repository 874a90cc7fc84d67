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

// firstInstance is the name of a server's first instance. Its engine objects keep the names servers had
// before they had instances, so a cloud upgraded in place finds them.
const firstInstance = "0"

// instanceContainerName is the container of one instance of a server.
func (c *Controller) instanceContainerName(server, instance string) string {
	if instance == firstInstance {
		return "flexpg-" + c.shortID() + "-" + server
	}
	return "flexpg-" + c.shortID() + "-" + server + "-" + instance
}

// instanceVolumeName is the data volume an instance gets when it does not adopt a spare.
func (c *Controller) instanceVolumeName(server, instance string) string {
	if instance == firstInstance {
		return "flexpg-" + c.shortID() + "-" + server + "-data"
	}
	return "flexpg-" + c.shortID() + "-" + server + "-" + instance + "-data"
}

// volumeName is the volume of a server's first instance.
func (c *Controller) volumeName(server string) string {
	return c.instanceVolumeName(server, firstInstance)
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
