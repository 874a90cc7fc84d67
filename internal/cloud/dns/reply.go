package dns

import (
	"encoding/binary"
	"net/netip"
)

// reply is a response about to be written.
type reply struct {
	query   header // id, opcode and RD are copied from it
	rcode   int    // above 15 only together with opt
	aa      bool
	q       *question
	answers []netip.Addr // all of the family q.typ asks for
	opt     *edns        // the query's OPT; when set the reply carries one too
}

// pack writes the reply. If it would not fit in limit bytes the answers are
// dropped and TC is set, telling the client to retry over TCP.
func (r reply) pack(limit int) []byte {
	b := r.appendTo(make([]byte, 0, 512), r.answers, false)
	if len(b) <= limit {
		return b
	}
	return r.appendTo(b[:0], nil, true)
}

func (r reply) appendTo(b []byte, answers []netip.Addr, truncated bool) []byte {
	h := header{id: r.query.id, flags: r.flags(truncated), ancount: uint16(len(answers))}
	if r.q != nil {
		h.qdcount = 1
	} else {
		answers, h.ancount = nil, 0 // answers point at the question's name
	}
	if r.opt != nil {
		h.arcount = 1
	}
	b = h.append(b)
	if r.q != nil {
		b = r.q.append(b)
	}
	for _, a := range answers {
		b = appendAddress(b, a)
	}
	if r.opt != nil {
		b = r.appendOPT(b)
	}
	return b
}

func (r reply) flags(truncated bool) uint16 {
	f := uint16(flagQR) | r.query.flags&(0xF<<11|flagRD) | uint16(r.rcode&0xF)
	if r.aa {
		f |= flagAA
	}
	if truncated {
		f |= flagTC
	}
	return f
}

// appendAddress writes an A or AAAA record owned by the question's name,
// which always sits right after the header (offset 12).
func appendAddress(b []byte, a netip.Addr) []byte {
	typ := typeA
	if a.Is6() {
		typ = typeAAAA
	}
	raw := a.AsSlice()
	b = binary.BigEndian.AppendUint16(b, 0xC000|headerLen)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, classIN)
	b = binary.BigEndian.AppendUint32(b, answerTTL)
	b = binary.BigEndian.AppendUint16(b, uint16(len(raw)))
	return append(b, raw...)
}

// appendOPT answers EDNS with version 0, our UDP size, the upper bits of the
// response code and, as RFC 3225 asks, the query's DO bit.
func (r reply) appendOPT(b []byte) []byte {
	ttl := uint32(r.rcode>>4) << 24
	if r.opt.do {
		ttl |= ednsDO
	}
	b = append(b, 0) // root owner
	b = binary.BigEndian.AppendUint16(b, typeOPT)
	b = binary.BigEndian.AppendUint16(b, serverUDPSize)
	b = binary.BigEndian.AppendUint32(b, ttl)
	return binary.BigEndian.AppendUint16(b, 0)
}

// udpLimit is the largest UDP response the client said it can take.
func udpLimit(opt *edns) int {
	if opt == nil || opt.udpSize <= minUDPSize {
		return minUDPSize
	}
	return min(int(opt.udpSize), serverUDPSize)
}
