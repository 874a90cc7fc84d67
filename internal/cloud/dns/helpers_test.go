package dns

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
)

const (
	fqdn     = "pg1.postgres.flexpg.internal"
	zoneName = "pg1.corp.postgres.flexpg.internal"
)

var (
	pgAddr   = netip.MustParseAddr("10.1.0.4")
	clientA  = netip.MustParseAddr("127.0.0.2") // server's own vnet
	clientB  = netip.MustParseAddr("127.0.0.3") // vnet linked to the zone
	clientC  = netip.MustParseAddr("127.0.0.4") // unlinked vnet
	outsider = netip.MustParseAddr("192.0.2.9") // in no vnet at all
)

// testView: server pg1 lives in vnet-a; its zone is linked to vnet-b; vnet-c
// is not linked. 127.0.0.1 counts as vnet-a so plain Lookup sees pg1.
func testView() StaticView {
	return StaticView{
		ClientNet: map[netip.Prefix]string{
			netip.MustParsePrefix("127.0.0.1/32"): "vnet-a",
			netip.MustParsePrefix("127.0.0.2/32"): "vnet-a",
			netip.MustParsePrefix("127.0.0.3/32"): "vnet-b",
			netip.MustParsePrefix("127.0.0.4/32"): "vnet-c",
		},
		Records: []Record{
			{Name: fqdn, Addr: pgAddr, VNets: []string{"vnet-a", "vnet-b"}},
			{Name: zoneName, Addr: pgAddr, VNets: []string{"vnet-a", "vnet-b"}},
		},
	}
}

// rawQuery builds a query for name/type/class, with an OPT record when opt is set.
func rawQuery(t testing.TB, id uint16, qname string, qtype, qclass uint16, opt *edns) []byte {
	t.Helper()
	n, err := parseName(qname)
	if err != nil {
		t.Fatal(err)
	}
	h := header{id: id, flags: flagRD, qdcount: 1}
	if opt != nil {
		h.arcount = 1
	}
	b := question{name: n, typ: qtype, class: qclass}.append(h.append(nil))
	if opt != nil {
		ttl := uint32(opt.version) << 16
		if opt.do {
			ttl |= ednsDO
		}
		b = append(b, 0)
		b = binary.BigEndian.AppendUint16(b, typeOPT)
		b = binary.BigEndian.AppendUint16(b, opt.udpSize)
		b = binary.BigEndian.AppendUint32(b, ttl)
		b = binary.BigEndian.AppendUint16(b, 0)
	}
	return b
}

// decoded is a reply taken apart for assertions.
type decoded struct {
	hdr      header
	question *question
	answers  []resource
	extra    []resource
}

func decodeReply(t testing.TB, b []byte) decoded {
	t.Helper()
	h, ok := readHeader(b)
	if !ok {
		t.Fatalf("reply too short: %x", b)
	}
	d := decoded{hdr: h}
	off := headerLen
	if h.qdcount > 1 {
		t.Fatalf("reply has %d questions", h.qdcount)
	}
	if h.qdcount == 1 {
		q, next, err := readQuestion(b, off)
		if err != nil {
			t.Fatalf("reply question: %v", err)
		}
		d.question, off = &q, next
	}
	for i := range int(h.ancount) + int(h.nscount) + int(h.arcount) {
		r, next, err := readResource(b, off)
		if err != nil {
			t.Fatalf("reply record %d: %v", i, err)
		}
		off = next
		if i < int(h.ancount) {
			d.answers = append(d.answers, r)
		} else {
			d.extra = append(d.extra, r)
		}
	}
	if off != len(b) {
		t.Fatalf("reply has %d trailing bytes", len(b)-off)
	}
	return d
}

func (d decoded) addrs() []netip.Addr {
	var out []netip.Addr
	for _, r := range d.answers {
		a, _ := netip.AddrFromSlice(r.rdata)
		out = append(out, a)
	}
	return out
}

// startServer serves view on a free port of 127.0.0.1 and closes it at the end.
func startServer(t *testing.T, view View) (*Server, netip.AddrPort) {
	t.Helper()
	s := New(view, nil)
	t.Cleanup(s.Close)
	return s, listenFree(t, s, netip.MustParseAddr("127.0.0.1"))
}

// listenFree finds a port free for both UDP and TCP. Another process may grab
// the port between the probe and Listen, hence the retries.
func listenFree(t *testing.T, s *Server, ip netip.Addr) netip.AddrPort {
	t.Helper()
	var lastErr error
	for range 20 {
		probe, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
		if err != nil {
			t.Fatal(err)
		}
		addr := probe.LocalAddr().(*net.UDPAddr).AddrPort()
		probe.Close()
		if lastErr = s.Listen(addr); lastErr == nil {
			return addr
		}
	}
	t.Fatalf("no free port: %v", lastErr)
	return netip.AddrPort{}
}
