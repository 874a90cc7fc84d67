package netguard

import (
	"fmt"
	"syscall"
)

// MarkControl sets ManagementMark on a socket before it connects. It fits net.Dialer.Control.
func MarkControl(network, address string, c syscall.RawConn) error {
	var setErr error
	err := c.Control(func(fd uintptr) {
		setErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_MARK, ManagementMark)
	})
	if err != nil {
		return fmt.Errorf("netguard: mark socket for %s %s: %w", network, address, err)
	}
	if setErr != nil {
		return fmt.Errorf("netguard: mark socket for %s %s: %w", network, address, setErr)
	}
	return nil
}
