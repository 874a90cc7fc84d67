//go:build !linux

package netguard

import "syscall"

// MarkControl does nothing where sockets have no marks. Nothing is lost: without Linux there are no iptables
// rules for a mark to get through, and an unmarked socket only ever gets fewer rights.
func MarkControl(network, address string, c syscall.RawConn) error { return nil }
