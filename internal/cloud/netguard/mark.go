package netguard

import (
	"net"
	"time"
)

// ManagementMark is the socket mark (SO_MARK) of the cloud's own management connections ("FL"). The output
// chain lets packets with this mark through to private servers; user processes cannot set it, because
// SO_MARK needs CAP_NET_ADMIN.
const ManagementMark = 0x464c

// ManagementDialer returns a dialer whose sockets carry ManagementMark, for the cloud's connections to
// private servers.
func ManagementDialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, Control: MarkControl}
}
