package daemon

import "github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"

// Controller exposes the controller (tests wait for operations to settle).
func (d *Daemon) Controller() *controller.Controller { return d.ctl }
