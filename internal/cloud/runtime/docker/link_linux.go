package docker

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// setLinkUp sets a host interface administratively up or down (SIOCSIFFLAGS on the interface's flags),
// leaving it as it is when it already is.
func setLinkUp(name string, up bool) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("set %s up=%v: %w", name, up, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("set %s up=%v: %w", name, up, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("read the flags of %s: %w", name, err)
	}
	flags := ifr.Uint16()
	want := flags &^ unix.IFF_UP
	if up {
		want = flags | unix.IFF_UP
	}
	if want == flags {
		return nil
	}
	ifr.SetUint16(want)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set %s up=%v (needs root on the engine's host): %w", name, up, err)
	}
	return nil
}
