package dns

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Lookup is the tests' DNS client: the cloud itself only answers queries.

// ErrNXDomain reports that the server says the name does not exist (for the
// asking client).
var ErrNXDomain = errors.New("dns: no such name")

// RcodeError reports a response code other than NOERROR and NXDOMAIN.
type RcodeError struct{ Rcode int }

func (e *RcodeError) Error() string { return fmt.Sprintf("dns: server answered rcode %d", e.Rcode) }

// defaultLookupTimeout bounds a lookup whose context has no deadline.
const defaultLookupTimeout = 5 * time.Second

// Lookup asks server for the A records of name over UDP (retrying over TCP
// if the answer was truncated) and returns the addresses. A name that does
// not exist yields an error matching ErrNXDomain; a name without A records
// yields no addresses and no error.
func Lookup(ctx context.Context, server netip.AddrPort, name string) ([]netip.Addr, error) {
	return lookupFrom(ctx, netip.Addr{}, server, name)
}

// lookupFrom is Lookup with a chosen source address (zero: any), which lets
// tests pose as clients of different virtual networks.
func lookupFrom(ctx context.Context, local netip.Addr, server netip.AddrPort, name string) ([]netip.Addr, error) {
	n, err := parseName(name)
	if err != nil {
		return nil, err
	}
	q := question{name: n, typ: typeA, class: classIN}
	msg := newQuery(q)
	resp, err := exchange(ctx, "udp", local, server, msg)
	if err != nil {
		return nil, err
	}
	h, _ := readHeader(resp)
	if h.flags&flagTC != 0 {
		if resp, err = exchange(ctx, "tcp", local, server, msg); err != nil {
			return nil, err
		}
	}
	return readAnswers(resp, q)
}

// newQuery builds a recursion-less query with a random ID for q.
func newQuery(q question) []byte {
	h := header{id: uint16(rand.Uint32()), qdcount: 1}
	return q.append(h.append(make([]byte, 0, 64)))
}

// exchange sends msg and returns the first reply carrying the same ID.
// Stray datagrams (late answers to earlier queries) are skipped.
func exchange(ctx context.Context, network string, local netip.Addr, server netip.AddrPort, msg []byte) ([]byte, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultLookupTimeout)
		defer cancel()
	}
	d := net.Dialer{LocalAddr: localAddr(network, local)}
	c, err := d.DialContext(ctx, network, server.String())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	if err := c.SetDeadline(deadline); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if network == "tcp" {
		return exchangeTCP(ctx, c, msg)
	}
	return exchangeUDP(ctx, c, msg)
}

func localAddr(network string, local netip.Addr) net.Addr {
	if !local.IsValid() {
		return nil
	}
	if network == "tcp" {
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
	}
	return net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
}

func exchangeUDP(ctx context.Context, c net.Conn, msg []byte) ([]byte, error) {
	if _, err := c.Write(msg); err != nil {
		return nil, ctxErr(ctx, err)
	}
	id := binary.BigEndian.Uint16(msg)
	buf := make([]byte, udpBufferSize)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil, ctxErr(ctx, err)
		}
		if h, ok := readHeader(buf[:n]); ok && h.id == id && h.flags&flagQR != 0 {
			return buf[:n], nil
		}
	}
}

func exchangeTCP(ctx context.Context, c net.Conn, msg []byte) ([]byte, error) {
	if err := writeFramed(c, msg); err != nil {
		return nil, ctxErr(ctx, err)
	}
	resp, err := readFramed(c)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	if h, ok := readHeader(resp); !ok || h.id != binary.BigEndian.Uint16(msg) {
		return nil, errors.New("dns: tcp reply does not match the query")
	}
	return resp, nil
}

// ctxErr prefers the context's reason over the deadline error it caused.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("dns: %w", ctx.Err())
	}
	// The socket deadline is the context's deadline, and it can fire a moment before the context's own
	// timer marks the context done: report the context's reason all the same.
	var ne net.Error
	if deadline, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(deadline) {
		return fmt.Errorf("dns: %w", context.DeadlineExceeded)
	}
	return err
}

// readAnswers checks that resp answers q and collects its A records.
func readAnswers(resp []byte, q question) ([]netip.Addr, error) {
	h, ok := readHeader(resp)
	if !ok {
		return nil, errTruncated
	}
	switch rc := h.rcode(); rc {
	case rcodeSuccess:
	case rcodeNXDomain:
		return nil, fmt.Errorf("%s: %w", q.name.String(), ErrNXDomain)
	default:
		return nil, &RcodeError{Rcode: rc}
	}
	if h.qdcount != 1 {
		return nil, errors.New("dns: reply does not repeat the question")
	}
	got, off, err := readQuestion(resp, headerLen)
	if err != nil {
		return nil, err
	}
	if !got.name.equalFold(q.name) || got.typ != q.typ || got.class != q.class {
		return nil, errors.New("dns: reply is for another question")
	}
	var addrs []netip.Addr
	for range h.ancount {
		r, next, err := readResource(resp, off)
		if err != nil {
			return nil, err
		}
		off = next
		if r.typ == typeA && r.class == classIN && len(r.rdata) == 4 && r.name.equalFold(q.name) {
			addrs = append(addrs, netip.AddrFrom4([4]byte(r.rdata)))
		}
	}
	return addrs, nil
}

// Wire helpers only the test client needs.

func (h header) rcode() int { return int(h.flags) & 0xF }

func (n name) equalFold(o name) bool {
	if len(n) != len(o) {
		return false
	}
	for i := range n {
		if !strings.EqualFold(n[i], o[i]) {
			return false
		}
	}
	return true
}

// parseName turns presentation text ("a.b.c" or "a.b.c.") into labels.
func parseName(s string) (name, error) {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return name{}, nil
	}
	labels := strings.Split(s, ".")
	wire := 1
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLen {
			return nil, errors.New("dns: invalid name " + s)
		}
		wire += 1 + len(l)
	}
	if wire > maxNameWireLen {
		return nil, errNameTooLong
	}
	return labels, nil
}

func (n name) String() string { return strings.Join(n, ".") + "." }
