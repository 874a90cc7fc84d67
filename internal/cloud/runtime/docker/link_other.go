//go:build !linux

package docker

import "errors"

// setLinkUp needs Linux interfaces: the cloud only isolates containers of an engine on a Linux host.
func setLinkUp(name string, up bool) error {
	return errors.New("isolating a container needs the engine's Linux host")
}
