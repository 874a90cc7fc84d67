package gateway

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// SQLSTATE codes the gateway answers with.
const (
	sqlstateInvalidAuthorization = "28000" // no pg_hba.conf entry
	sqlstateCannotConnectNow     = "57P03" // the server is not accepting connections
	sqlstateFeatureNotSupported  = "0A000" // unsupported frontend protocol
)

// transport names the encryption of a refused connection the way PostgreSQL's hba error does.
type transport string

const (
	transportSSL   transport = "SSL encryption"
	transportPlain transport = "no encryption"
)

// verdict is why the gateway answers a connection itself instead of forwarding it.
type verdict string

const (
	verdictFirewall    verdict = "firewall"                 // client address not in Policy.Allow
	verdictInsecure    verdict = "require_secure_transport" // plaintext while TLS is required
	verdictUnavailable verdict = "backend_unavailable"      // no backend, or the dial failed
)

// pgError is a FATAL ErrorResponse.
type pgError struct {
	code    string
	message string
}

// encode renders an ErrorResponse ('E') with the fields libpq and pgx read: severity (localized and not),
// SQLSTATE and message.
func (e pgError) encode() []byte {
	fields := []struct {
		tag   byte
		value string
	}{
		{'S', "FATAL"},
		{'V', "FATAL"},
		{'C', e.code},
		{'M', e.message},
	}
	buf := []byte{'E', 0, 0, 0, 0}
	for _, f := range fields {
		buf = append(buf, f.tag)
		// A NUL would end the field early and desynchronise the client's parser.
		buf = append(buf, strings.ReplaceAll(f.value, "\x00", "")...)
		buf = append(buf, 0)
	}
	buf = append(buf, 0)
	binary.BigEndian.PutUint32(buf[1:5], uint32(len(buf)-1))
	return buf
}

// answerFor words the error PostgreSQL would send for this verdict, checking what PostgreSQL checks first
// (protocol version, then the user name) before the verdict itself.
func answerFor(v verdict, msg firstMessage, client netip.Addr, enc transport) pgError {
	if msg.kind == kindUnsupported {
		return pgError{
			code: sqlstateFeatureNotSupported,
			message: fmt.Sprintf("unsupported frontend protocol %d.%d: server supports %d.0 to %d.0",
				msg.version>>16, msg.version&0xffff, protocolMajor, protocolMajor),
		}
	}
	if msg.params.user == "" {
		return pgError{code: sqlstateInvalidAuthorization, message: "no PostgreSQL user name specified in startup packet"}
	}
	if v == verdictUnavailable {
		return pgError{code: sqlstateCannotConnectNow, message: "the database system is not accepting connections"}
	}
	return hbaRefusal(client, msg.params, enc)
}

// hbaRefusal is PostgreSQL's "no pg_hba.conf entry" error for a client no rule admits.
func hbaRefusal(client netip.Addr, p startupParams, enc transport) pgError {
	host := client.Unmap().String()
	if isPhysicalReplication(p.replication) {
		return pgError{
			code:    sqlstateInvalidAuthorization,
			message: fmt.Sprintf(`no pg_hba.conf entry for replication connection from host "%s", user "%s", %s`, host, p.user, enc),
		}
	}
	return pgError{
		code: sqlstateInvalidAuthorization,
		message: fmt.Sprintf(`no pg_hba.conf entry for host "%s", user "%s", database "%s", %s`,
			host, p.user, p.databaseOrUser(), enc),
	}
}

// isPhysicalReplication reports whether the replication parameter asks for a physical walsender
// ("database" asks for a logical one, which PostgreSQL words like an ordinary connection).
func isPhysicalReplication(v string) bool {
	switch strings.ToLower(v) {
	case "true", "on", "yes", "1", "t", "y":
		return true
	}
	return false
}
