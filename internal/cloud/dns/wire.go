package dns

import (
	"encoding/binary"
	"errors"
	"strings"
)

// Sizes and limits from RFC 1035 and RFC 6891.
const (
	headerLen      = 12
	maxNameWireLen = 255
	maxLabelLen    = 63
	minUDPSize     = 512  // what a client without EDNS can take
	serverUDPSize  = 1232 // what we advertise and never exceed over UDP
	maxTCPSize     = 65535
	answerTTL      = 5 // seconds; records follow servers, so keep caches short
)

// Record types and classes the codec knows.
const (
	typeA    uint16 = 1
	typeAAAA uint16 = 28
	typeOPT  uint16 = 41
	typeIXFR uint16 = 251
	typeAXFR uint16 = 252
	typeANY  uint16 = 255
	classIN  uint16 = 1
)

// Response codes. rcodeBadVers needs EDNS: its upper bits live in the OPT TTL.
const (
	rcodeSuccess  = 0
	rcodeFormErr  = 1
	rcodeNXDomain = 3
	rcodeRefused  = 5
	rcodeBadVers  = 16
)

const opcodeQuery = 0

// Header flag bits.
const (
	flagQR = 1 << 15
	flagAA = 1 << 10
	flagTC = 1 << 9
	flagRD = 1 << 8
	flagRA = 1 << 7
)

const ednsDO = 1 << 15 // DNSSEC OK bit inside the OPT TTL

var (
	errTruncated   = errors.New("dns: message truncated")
	errNameTooLong = errors.New("dns: name too long")
	errLabelType   = errors.New("dns: unsupported label type")
	errBadPointer  = errors.New("dns: compression pointer does not point backwards")
)

type header struct {
	id, flags                          uint16
	qdcount, ancount, nscount, arcount uint16
}

func (h header) opcode() int { return int(h.flags>>11) & 0xF }

func readHeader(msg []byte) (header, bool) {
	if len(msg) < headerLen {
		return header{}, false
	}
	u := func(i int) uint16 { return binary.BigEndian.Uint16(msg[i:]) }
	return header{u(0), u(2), u(4), u(6), u(8), u(10)}, true
}

func (h header) append(b []byte) []byte {
	for _, v := range []uint16{h.id, h.flags, h.qdcount, h.ancount, h.nscount, h.arcount} {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// name is a domain name as its raw labels, case preserved so a response can
// echo the question exactly (some resolvers randomise case).
type name []string

// key is the lookup form the View expects: lowercase, dot-separated, no
// trailing dot. A label holding a dot cannot be written that way without
// escaping; no record the cloud serves has one, so ok=false makes it unknown.
func (n name) key() (string, bool) {
	for _, l := range n {
		if strings.Contains(l, ".") {
			return "", false
		}
	}
	return strings.ToLower(strings.Join(n, ".")), true
}

func (n name) append(b []byte) []byte {
	for _, l := range n {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// readName decodes the name at off and returns the offset just after it in
// the original position. A compression pointer must point before the start of
// the segment being read; every jump therefore moves strictly backwards and a
// pointer loop is impossible, whatever the packet holds.
func readName(msg []byte, off int) (name, int, error) {
	var labels name
	wireLen, next, segStart := 0, -1, off
	for {
		if off >= len(msg) {
			return nil, 0, errTruncated
		}
		c := int(msg[off])
		switch c & 0xC0 {
		case 0x00:
			wireLen += 1 + c
			if wireLen > maxNameWireLen {
				return nil, 0, errNameTooLong
			}
			if c == 0 {
				if next < 0 {
					next = off + 1
				}
				return labels, next, nil
			}
			end := off + 1 + c
			if end > len(msg) {
				return nil, 0, errTruncated
			}
			labels = append(labels, string(msg[off+1:end]))
			off = end
		case 0xC0:
			if off+2 > len(msg) {
				return nil, 0, errTruncated
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3FFF)
			if ptr >= segStart {
				return nil, 0, errBadPointer
			}
			if next < 0 {
				next = off + 2
			}
			off, segStart = ptr, ptr
		default:
			return nil, 0, errLabelType
		}
	}
}

// resource is one decoded resource record; rdata aliases the message.
type resource struct {
	name  name
	typ   uint16
	class uint16
	ttl   uint32
	rdata []byte
}

func readResource(msg []byte, off int) (resource, int, error) {
	n, off, err := readName(msg, off)
	if err != nil {
		return resource{}, 0, err
	}
	if off+10 > len(msg) {
		return resource{}, 0, errTruncated
	}
	r := resource{
		name:  n,
		typ:   binary.BigEndian.Uint16(msg[off:]),
		class: binary.BigEndian.Uint16(msg[off+2:]),
		ttl:   binary.BigEndian.Uint32(msg[off+4:]),
	}
	rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
	off += 10
	if off+rdlen > len(msg) {
		return resource{}, 0, errTruncated
	}
	r.rdata = msg[off : off+rdlen]
	return r, off + rdlen, nil
}

type question struct {
	name  name
	typ   uint16
	class uint16
}

func readQuestion(msg []byte, off int) (question, int, error) {
	n, off, err := readName(msg, off)
	if err != nil {
		return question{}, 0, err
	}
	if off+4 > len(msg) {
		return question{}, 0, errTruncated
	}
	q := question{
		name:  n,
		typ:   binary.BigEndian.Uint16(msg[off:]),
		class: binary.BigEndian.Uint16(msg[off+2:]),
	}
	return q, off + 4, nil
}

func (q question) append(b []byte) []byte {
	b = q.name.append(b)
	b = binary.BigEndian.AppendUint16(b, q.typ)
	return binary.BigEndian.AppendUint16(b, q.class)
}

// String is the presentation form with a trailing dot, for messages.
