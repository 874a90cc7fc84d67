package gateway

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Codes of the first message a PostgreSQL client may send (the int32 after the length word).
const (
	codeCancelRequest = 80877102
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	protocolMajor     = 3
)

const (
	// headerLen is the length word plus the code word every first message starts with.
	headerLen = 8
	// maxStartupLen mirrors PostgreSQL's MAX_STARTUP_PACKET_LENGTH: a longer first message is rejected
	// before anything is allocated for it.
	maxStartupLen = 10000
	// minCancelLen and maxCancelLen bound a CancelRequest: process ID plus a secret key of 4 bytes
	// (protocol 3.0) up to 256 bytes (protocol 3.2).
	minCancelLen = 16
	maxCancelLen = 12 + 256
	// tlsHandshakeRecord is the first byte of a TLS ClientHello: a client using sslnegotiation=direct
	// starts TLS at once instead of sending an SSLRequest. No valid length word starts with it.
	tlsHandshakeRecord = 0x16
)

// messageKind tells what the client opened the connection with.
type messageKind int

const (
	kindStartup     messageKind = iota + 1 // protocol 3.x StartupMessage
	kindUnsupported                        // a StartupMessage for a protocol major version other than 3
	kindSSLRequest
	kindGSSENCRequest
	kindCancelRequest
	kindDirectTLS // a TLS ClientHello; raw holds only the first headerLen bytes
)

// Errors of the first-message parser. PostgreSQL logs these and closes the connection without an answer.
var (
	errInvalidLength = errors.New("invalid length of startup packet")
	errInvalidLayout = errors.New("invalid startup packet layout")
)

// firstMessage is the parsed opening message of a connection.
type firstMessage struct {
	kind    messageKind
	raw     []byte // exactly the bytes read from the client, length word included
	version uint32 // protocol version of a StartupMessage
	params  startupParams
}

// startupParams are the StartupMessage parameters the gateway needs to word its answers like PostgreSQL.
type startupParams struct {
	user        string
	database    string
	replication string
}

// databaseOrUser is the database PostgreSQL reports: it defaults to the user name.
func (p startupParams) databaseOrUser() string {
	if p.database == "" {
		return p.user
	}
	return p.database
}

// readFirstMessage reads one first message from r. It never reads past the end of that message (so the
// rest of the stream can be handed on untouched) and never allocates more than maxStartupLen bytes.
func readFirstMessage(r io.Reader) (firstMessage, error) {
	var hdr [headerLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return firstMessage{}, fmt.Errorf("read first message header: %w", err)
	}
	if hdr[0] == tlsHandshakeRecord {
		return firstMessage{kind: kindDirectTLS, raw: bytes.Clone(hdr[:])}, nil
	}
	n := binary.BigEndian.Uint32(hdr[0:4])
	if n < headerLen || n > maxStartupLen {
		return firstMessage{}, fmt.Errorf("%w: %d bytes", errInvalidLength, n)
	}
	raw := make([]byte, n)
	copy(raw, hdr[:])
	if _, err := io.ReadFull(r, raw[headerLen:]); err != nil {
		return firstMessage{}, fmt.Errorf("read first message body: %w", err)
	}
	return parseFirstMessage(raw)
}

// parseFirstMessage classifies a complete first message (length word included).
func parseFirstMessage(raw []byte) (firstMessage, error) {
	if len(raw) < headerLen || len(raw) > maxStartupLen {
		return firstMessage{}, fmt.Errorf("%w: %d bytes", errInvalidLength, len(raw))
	}
	if n := binary.BigEndian.Uint32(raw[0:4]); int64(n) != int64(len(raw)) {
		return firstMessage{}, fmt.Errorf("%w: header says %d, have %d", errInvalidLength, n, len(raw))
	}
	code := binary.BigEndian.Uint32(raw[4:8])
	msg := firstMessage{raw: raw}
	switch code {
	case codeSSLRequest, codeGSSENCRequest:
		if len(raw) != headerLen {
			return firstMessage{}, fmt.Errorf("%w: encryption request of %d bytes", errInvalidLength, len(raw))
		}
		msg.kind = kindSSLRequest
		if code == codeGSSENCRequest {
			msg.kind = kindGSSENCRequest
		}
		return msg, nil
	case codeCancelRequest:
		if len(raw) < minCancelLen || len(raw) > maxCancelLen {
			return firstMessage{}, fmt.Errorf("%w: cancel request of %d bytes", errInvalidLength, len(raw))
		}
		msg.kind = kindCancelRequest
		return msg, nil
	}
	msg.version = code
	if code>>16 != protocolMajor {
		msg.kind = kindUnsupported
		return msg, nil
	}
	params, err := parseStartupParams(raw[headerLen:])
	if err != nil {
		return firstMessage{}, err
	}
	msg.kind = kindStartup
	msg.params = params
	return msg, nil
}

// parseStartupParams reads NUL-terminated name/value pairs ended by one more NUL, as PostgreSQL does:
// the list must end exactly at the last byte and no name may be empty before it.
func parseStartupParams(body []byte) (startupParams, error) {
	var p startupParams
	if len(body) == 0 || body[len(body)-1] != 0 {
		return p, fmt.Errorf("%w: expected terminator as last byte", errInvalidLayout)
	}
	rest := body[:len(body)-1]
	for len(rest) > 0 {
		name, after, ok := bytes.Cut(rest, []byte{0})
		if !ok || len(name) == 0 {
			return startupParams{}, fmt.Errorf("%w: expected terminator as last byte", errInvalidLayout)
		}
		value, after, ok := bytes.Cut(after, []byte{0})
		if !ok {
			return startupParams{}, fmt.Errorf("%w: parameter %q has no value", errInvalidLayout, name)
		}
		switch string(name) {
		case "user":
			p.user = string(value)
		case "database":
			p.database = string(value)
		case "replication":
			p.replication = string(value)
		}
		rest = after
	}
	return p, nil
}
