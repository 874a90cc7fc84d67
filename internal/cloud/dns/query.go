package dns

import "errors"

// edns is what a query's OPT record says about the client (RFC 6891).
type edns struct {
	udpSize uint16
	version uint8
	do      bool
}

// query is a parsed request. hasQuestion tells whether q is valid, so even a
// FORMERR can echo the question when the damage came after it.
type query struct {
	hdr         header
	q           question
	hasQuestion bool
	opt         *edns
}

var (
	// errDrop: too short to carry an ID, or itself a response. Answering a
	// response could start a loop between two servers, so nothing is sent.
	errDrop   = errors.New("dns: not a query")
	errOpcode = errors.New("dns: opcode not supported")
)

// parseQuery decodes a request. On errDrop nothing can be answered; on any
// other error the header is valid and the caller answers REFUSED (errOpcode)
// or FORMERR.
func parseQuery(msg []byte) (query, error) {
	h, ok := readHeader(msg)
	if !ok || h.flags&flagQR != 0 {
		return query{}, errDrop
	}
	qr := query{hdr: h}
	if h.opcode() != opcodeQuery {
		return qr, errOpcode
	}
	if h.qdcount != 1 {
		return qr, errors.New("dns: a query must hold exactly one question")
	}
	q, off, err := readQuestion(msg, headerLen)
	if err != nil {
		return qr, err
	}
	qr.q, qr.hasQuestion = q, true
	return qr, qr.readRecords(msg, off)
}

// readRecords walks the answer, authority and additional sections. Queries
// normally carry none but the OPT record; the others are skipped so the OPT
// can be found. Each record takes at least 11 bytes, so the loop is bounded
// by the message length whatever the counts claim.
func (qr *query) readRecords(msg []byte, off int) error {
	h := qr.hdr
	before := int(h.ancount) + int(h.nscount)
	for i := range before + int(h.arcount) {
		r, next, err := readResource(msg, off)
		if err != nil {
			return err
		}
		off = next
		if i < before || r.typ != typeOPT {
			continue
		}
		if qr.opt != nil {
			return errors.New("dns: more than one OPT record")
		}
		if len(r.name) != 0 {
			return errors.New("dns: OPT record not owned by the root")
		}
		qr.opt = &edns{udpSize: r.class, version: uint8(r.ttl >> 16), do: r.ttl&ednsDO != 0}
	}
	return nil
}
