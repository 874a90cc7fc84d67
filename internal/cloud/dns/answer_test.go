package dns

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"slices"
	"testing"
)

func TestRespond(t *testing.T) {
	view := testView()
	a := func(id uint16, n string, opt *edns) []byte { return rawQuery(t, id, n, typeA, classIN, opt) }
	withOpcode := func(msg []byte, op uint16) []byte {
		msg = bytes.Clone(msg)
		binary.BigEndian.PutUint16(msg[2:], op<<11)
		return msg
	}
	withCounts := func(msg []byte, qd, an, ns, ar uint16) []byte {
		msg = bytes.Clone(msg)
		for i, v := range []uint16{qd, an, ns, ar} {
			binary.BigEndian.PutUint16(msg[4+2*i:], v)
		}
		return msg
	}
	loop := msgWith(0xC0, 12, 0, 1, 0, 1) // question name points at itself
	binary.BigEndian.PutUint16(loop[4:], 1)
	twoOPT := append(a(9, fqdn, &edns{udpSize: 1232}), 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0)
	binary.BigEndian.PutUint16(twoOPT[10:], 2)

	tests := []struct {
		name       string
		msg        []byte
		client     netip.Addr
		tr         transport
		wantDrop   bool
		wantRcode  int
		wantAA     bool
		wantAddrs  []netip.Addr
		wantQ      bool // question echoed
		wantOPT    bool
		wantDOEcho bool
	}{
		{name: "A from the server's vnet", msg: a(1, fqdn, nil), client: clientA, wantAA: true, wantQ: true, wantAddrs: []netip.Addr{pgAddr}},
		{name: "zone name from a linked vnet", msg: a(2, zoneName, nil), client: clientB, wantAA: true, wantQ: true, wantAddrs: []netip.Addr{pgAddr}},
		{name: "zone name from an unlinked vnet", msg: a(3, zoneName, nil), client: clientC, wantRcode: rcodeNXDomain, wantAA: true, wantQ: true},
		{name: "client in no vnet", msg: a(4, fqdn, nil), client: outsider, wantRcode: rcodeNXDomain, wantAA: true, wantQ: true},
		{name: "unknown name", msg: a(5, "nope.postgres.flexpg.internal", nil), client: clientA, wantRcode: rcodeNXDomain, wantAA: true, wantQ: true},
		{name: "internet name", msg: a(6, "example.com", nil), client: clientA, wantRcode: rcodeNXDomain, wantAA: true, wantQ: true},
		{name: "uppercase name", msg: a(7, "PG1.Postgres.FLEXPG.internal", nil), client: clientA, wantAA: true, wantQ: true, wantAddrs: []netip.Addr{pgAddr}},
		{name: "AAAA of a known name is NODATA", msg: rawQuery(t, 8, fqdn, typeAAAA, classIN, nil), client: clientA, wantAA: true, wantQ: true},
		{name: "MX of a known name is NODATA", msg: rawQuery(t, 8, fqdn, 15, classIN, nil), client: clientA, wantAA: true, wantQ: true},
		{name: "AAAA of an unknown name", msg: rawQuery(t, 8, "x.internal", typeAAAA, classIN, nil), client: clientA, wantRcode: rcodeNXDomain, wantAA: true, wantQ: true},
		{name: "EDNS echoed", msg: a(9, fqdn, &edns{udpSize: 4096, do: true}), client: clientA, wantAA: true, wantQ: true, wantAddrs: []netip.Addr{pgAddr}, wantOPT: true, wantDOEcho: true},
		{name: "EDNS version 1", msg: a(10, fqdn, &edns{udpSize: 4096, version: 1}), client: clientA, wantRcode: rcodeBadVers, wantQ: true, wantOPT: true},
		{name: "two OPT records", msg: twoOPT, client: clientA, wantRcode: rcodeFormErr, wantQ: true},
		{name: "CHAOS class", msg: rawQuery(t, 11, "version.bind", 16, 3, nil), client: clientA, wantRcode: rcodeRefused, wantQ: true},
		{name: "zone transfer", msg: rawQuery(t, 12, "corp.postgres.flexpg.internal", typeAXFR, classIN, nil), client: clientA, tr: overTCP, wantRcode: rcodeRefused, wantQ: true},
		{name: "NOTIFY opcode", msg: withOpcode(a(13, fqdn, nil), 4), client: clientA, wantRcode: rcodeRefused},
		{name: "no question", msg: withCounts(a(14, fqdn, nil), 0, 0, 0, 0), client: clientA, wantRcode: rcodeFormErr},
		{name: "two questions", msg: withCounts(a(15, fqdn, nil), 2, 0, 0, 0), client: clientA, wantRcode: rcodeFormErr},
		{name: "claims an answer it lacks", msg: withCounts(a(16, fqdn, nil), 1, 1, 0, 0), client: clientA, wantRcode: rcodeFormErr, wantQ: true},
		{name: "compression loop", msg: loop, client: clientA, wantRcode: rcodeFormErr},
		{name: "question cut short", msg: a(17, fqdn, nil)[:20], client: clientA, wantRcode: rcodeFormErr},
		{name: "shorter than a header", msg: []byte{1, 2, 3}, client: clientA, wantDrop: true},
		{name: "a response", msg: withOpcode(a(18, fqdn, nil), 0x10), client: clientA, wantDrop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := respond(view, tt.msg, tt.client, tt.tr)
			if tt.wantDrop {
				if resp != nil {
					t.Fatalf("want no reply, got %x", resp)
				}
				return
			}
			d := decodeReply(t, resp)
			q, _ := readHeader(tt.msg)
			rcode := d.hdr.rcode()
			for _, r := range d.extra {
				if r.typ == typeOPT {
					rcode |= int(r.ttl>>24) << 4
				}
			}
			checks := []struct {
				what      string
				got, want any
			}{
				{"id", d.hdr.id, q.id},
				{"QR", d.hdr.flags&flagQR != 0, true},
				{"RD copied", d.hdr.flags & flagRD, q.flags & flagRD},
				{"RA", d.hdr.flags&flagRA != 0, false},
				{"TC", d.hdr.flags&flagTC != 0, false},
				{"rcode", rcode, tt.wantRcode},
				{"AA", d.hdr.flags&flagAA != 0, tt.wantAA},
				{"question echoed", d.question != nil, tt.wantQ},
				{"OPT present", len(d.extra) == 1 && d.extra[0].typ == typeOPT, tt.wantOPT},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
			if got := d.addrs(); !slices.Equal(got, tt.wantAddrs) {
				t.Errorf("answers = %v, want %v", got, tt.wantAddrs)
			}
			for _, r := range d.answers {
				if r.ttl != answerTTL || r.class != classIN {
					t.Errorf("answer ttl %d class %d, want %d IN", r.ttl, r.class, answerTTL)
				}
			}
			if tt.wantOPT {
				opt := d.extra[0]
				if opt.class != serverUDPSize || (opt.ttl&ednsDO != 0) != tt.wantDOEcho || opt.ttl>>16&0xFF != 0 {
					t.Errorf("OPT size %d ttl %#x, want size %d DO %v version 0", opt.class, opt.ttl, serverUDPSize, tt.wantDOEcho)
				}
			}
		})
	}
}

// TestRespondBytes pins one reply to the byte so the codec is checked
// against the RFC layout, not only against its own decoder.
func TestRespondBytes(t *testing.T) {
	resp, _ := respond(testView(), rawQuery(t, 0x1234, "PG1.postgres.flexpg.internal", typeA, classIN, nil), clientA, overUDP)
	want := "1234" + "8500" + "0001" + "0001" + "0000" + "0000" +
		"03504731" + "08706f737467726573" + "06666c65787067" + "08696e7465726e616c" + "00" + "0001" + "0001" +
		"c00c" + "0001" + "0001" + "00000005" + "0004" + "0a010004"
	if got := hex.EncodeToString(resp); got != want {
		t.Fatalf("reply\n got %s\nwant %s", got, want)
	}
}

// manyView answers every name with n addresses, to force truncation.
type manyView int

func (n manyView) Resolve(netip.Addr, string) ([]netip.Addr, bool) {
	var out []netip.Addr
	for i := range int(n) {
		out = append(out, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	return out, true
}

func TestRespondTruncates(t *testing.T) {
	tests := []struct {
		name     string
		opt      *edns
		tr       transport
		answers  int
		wantTC   bool
		maxBytes int
	}{
		{"plain UDP over 512", nil, overUDP, 40, true, minUDPSize},
		{"plain UDP under 512", nil, overUDP, 20, false, minUDPSize},
		{"EDNS lifts the limit", &edns{udpSize: 4096}, overUDP, 60, false, serverUDPSize},
		{"EDNS still capped at our size", &edns{udpSize: 4096}, overUDP, 100, true, serverUDPSize},
		{"TCP takes it all", nil, overTCP, 100, false, maxTCPSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := respond(manyView(tt.answers), rawQuery(t, 1, fqdn, typeA, classIN, tt.opt), clientA, tt.tr)
			d := decodeReply(t, resp)
			if tc := d.hdr.flags&flagTC != 0; tc != tt.wantTC {
				t.Fatalf("TC = %v, want %v (%d bytes)", tc, tt.wantTC, len(resp))
			}
			wantAnswers := tt.answers
			if tt.wantTC {
				wantAnswers = 0
			}
			if len(d.answers) != wantAnswers || len(resp) > tt.maxBytes {
				t.Fatalf("%d answers in %d bytes, want %d answers within %d", len(d.answers), len(resp), wantAnswers, tt.maxBytes)
			}
		})
	}
}

func TestStaticViewPrefersLongestPrefix(t *testing.T) {
	v := StaticView{
		ClientNet: map[netip.Prefix]string{
			netip.MustParsePrefix("10.0.0.0/8"):  "wide",
			netip.MustParsePrefix("10.1.0.0/24"): "narrow",
		},
		Records: []Record{{Name: "x.internal.", Addr: pgAddr, VNets: []string{"narrow"}}},
	}
	tests := []struct {
		client    string
		wantKnown bool
	}{
		{"10.1.0.9", true},
		{"10.2.0.9", false},
		{"::ffff:10.1.0.9", true},
	}
	for _, tt := range tests {
		addrs, known := v.Resolve(netip.MustParseAddr(tt.client), "x.internal")
		if known != tt.wantKnown || (known && !slices.Equal(addrs, []netip.Addr{pgAddr})) {
			t.Errorf("Resolve from %s = %v %v, want known %v", tt.client, addrs, known, tt.wantKnown)
		}
	}
}
