package netguard

import (
	"context"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestManagementDialerMarksSocket dials a loopback listener and reads the mark back from the socket.
func TestManagementDialerMarksSocket(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("SO_MARK needs CAP_NET_ADMIN; run as root")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tests := []struct {
		name   string
		dialer *net.Dialer
		want   int
	}{
		{"management", ManagementDialer(time.Second), ManagementMark},
		{"plain", &net.Dialer{Timeout: time.Second}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tt.dialer.DialContext(ctx, "tcp", ln.Addr().String())
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer conn.Close()
			if got := socketMark(t, conn.(*net.TCPConn)); got != tt.want {
				t.Errorf("SO_MARK = %#x, want %#x", got, tt.want)
			}
		})
	}
}

func socketMark(t *testing.T, conn *net.TCPConn) int {
	t.Helper()
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var mark int
	var getErr error
	if err := raw.Control(func(fd uintptr) {
		mark, getErr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_MARK)
	}); err != nil {
		t.Fatal(err)
	}
	if getErr != nil {
		t.Fatal(getErr)
	}
	return mark
}
