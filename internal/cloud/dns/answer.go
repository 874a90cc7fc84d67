package dns

import (
	"errors"
	"net/netip"
)

// transport is how a reply travels; it bounds the reply's size.
type transport int

const (
	overUDP transport = iota
	overTCP
)

func (t transport) String() string {
	if t == overTCP {
		return "tcp"
	}
	return "udp"
}

// outcome summarises an exchange for the log.
type outcome struct {
	name  string
	qtype uint16
	rcode int
}

// respond turns one request into its reply bytes; nil means send nothing.
func respond(view View, msg []byte, client netip.Addr, t transport) ([]byte, outcome) {
	qr, err := parseQuery(msg)
	switch {
	case errors.Is(err, errDrop):
		return nil, outcome{rcode: -1}
	case errors.Is(err, errOpcode):
		return packFor(reply{query: qr.hdr, rcode: rcodeRefused}, qr, t)
	case err != nil:
		r := reply{query: qr.hdr, rcode: rcodeFormErr}
		if qr.hasQuestion {
			r.q = &qr.q
		}
		return packFor(r, qr, t)
	}
	return packFor(decide(view, qr, client), qr, t)
}

func packFor(r reply, qr query, t transport) ([]byte, outcome) {
	limit := maxTCPSize
	if t == overUDP {
		limit = udpLimit(qr.opt)
	}
	o := outcome{qtype: qr.q.typ, rcode: r.rcode}
	if qr.hasQuestion {
		o.name, _ = qr.q.name.key()
	}
	return r.pack(limit), o
}

// decide applies the cloud's rules to a well-formed query.
func decide(view View, qr query, client netip.Addr) reply {
	r := reply{query: qr.hdr, q: &qr.q, opt: qr.opt}
	switch {
	case qr.opt != nil && qr.opt.version != 0:
		r.rcode = rcodeBadVers
		return r
	case qr.q.class != classIN:
		r.rcode = rcodeRefused
		return r
	case qr.q.typ == typeAXFR || qr.q.typ == typeIXFR:
		r.rcode = rcodeRefused // zone transfers are not offered
		return r
	}
	r.aa = true // the cloud is the only authority there is
	key, ok := qr.q.name.key()
	if !ok || view == nil {
		r.rcode = rcodeNXDomain
		return r
	}
	addrs, known := view.Resolve(client, key)
	if !known {
		r.rcode = rcodeNXDomain
		return r
	}
	r.answers = ofType(addrs, qr.q.typ)
	return r
}

// ofType keeps the addresses a question type asks for: IPv4 for A (and ANY),
// IPv6 for AAAA, none for anything else (NODATA).
func ofType(addrs []netip.Addr, qtype uint16) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		switch {
		case a.Is4() && (qtype == typeA || qtype == typeANY):
			out = append(out, a)
		case a.Is6() && qtype == typeAAAA:
			out = append(out, a)
		}
	}
	return out
}
