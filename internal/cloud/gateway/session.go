package gateway

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"time"
)

// session handles one accepted client connection until it is forwarded or answered.
type session struct {
	e       *endpoint
	conn    net.Conn // the client's TCP connection
	peer    netip.AddrPort
	cfg     *settings // snapshot taken at accept: later policy changes do not touch this connection
	allowed bool
	dialErr error // why the backend could not be reached, for the log
}

func newSession(e *endpoint, c net.Conn) *session {
	s := &session{e: e, conn: c, cfg: e.cur.Load()}
	if tcp, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		s.peer = tcp.AddrPort()
	}
	// The real client address is the TCP peer of this connection; nothing the client sends can change it.
	s.allowed = s.cfg.allows(s.peer.Addr())
	return s
}

// run reads first messages until one decides the connection: a client may first try GSSAPI and SSL
// encryption (each at most once, as PostgreSQL allows) and continue on the same connection after an 'N'.
func (s *session) run() {
	s.e.stats.active.Add(1)
	defer s.e.stats.active.Add(-1)
	defer s.e.release(s.conn)
	// Until the connection is forwarded, every read and write of the gateway is bounded.
	if err := s.conn.SetDeadline(time.Now().Add(s.e.timeouts.startup)); err != nil {
		s.drop("set_deadline_failed", err)
		return
	}
	var triedSSL, triedGSS bool
	for {
		msg, err := readFirstMessage(s.conn)
		if err != nil {
			s.drop(readFailure(err), err)
			return
		}
		switch msg.kind {
		case kindGSSENCRequest:
			if triedGSS {
				s.drop("repeated_gssenc_request", nil)
				return
			}
			triedGSS = true
			if !s.write([]byte{'N'}) { // the gateway never offers GSSAPI encryption
				return
			}
		case kindSSLRequest:
			if triedSSL {
				s.drop("repeated_ssl_request", nil)
				return
			}
			triedSSL = true
			if !s.handleSSLRequest(msg) {
				return
			}
		case kindDirectTLS:
			s.handleDirectTLS(msg)
			return
		case kindCancelRequest:
			s.handleCancel(msg)
			return
		default:
			s.handleStartup(msg)
			return
		}
	}
}

// handleSSLRequest forwards an allowed SSLRequest or answers it; true means the client was told 'N' and
// may go on in plaintext on this connection.
func (s *session) handleSSLRequest(msg firstMessage) bool {
	v := verdictFirewall
	if s.allowed {
		if backend, ok := s.dial(); ok {
			s.forward(backend, msg.raw)
			return false
		}
		v = verdictUnavailable
	}
	if s.cfg.startTLS == nil {
		return s.write([]byte{'N'})
	}
	if !s.write([]byte{'S'}) {
		return false
	}
	s.answerInTLS(tls.Server(s.conn, s.cfg.startTLS), v, false)
	return false
}

// handleDirectTLS handles a client that opened with a TLS ClientHello (sslnegotiation=direct).
func (s *session) handleDirectTLS(msg firstMessage) {
	v := verdictFirewall
	if s.allowed {
		if backend, ok := s.dial(); ok {
			s.forward(backend, msg.raw)
			return
		}
		v = verdictUnavailable
	}
	if s.cfg.directTLS == nil {
		s.drop("no_refusal_certificate", nil)
		return
	}
	// The ClientHello's first bytes are already read; replay them into the TLS server.
	replay := &prefixedConn{Conn: s.conn, r: io.MultiReader(bytes.NewReader(msg.raw), s.conn)}
	s.answerInTLS(tls.Server(replay, s.cfg.directTLS), v, true)
}

// handleCancel forwards an allowed CancelRequest; any other is closed unanswered, as PostgreSQL does.
func (s *session) handleCancel(msg firstMessage) {
	if !s.allowed {
		s.drop(string(verdictFirewall), nil)
		return
	}
	backend, ok := s.dial()
	if !ok {
		s.drop(string(verdictUnavailable), s.dialErr)
		return
	}
	s.forward(backend, msg.raw)
}

// handleStartup handles a plaintext StartupMessage (or one for an unsupported protocol version).
func (s *session) handleStartup(msg firstMessage) {
	switch {
	case !s.allowed:
		s.answer(s.conn, verdictFirewall, msg, transportPlain)
	case s.cfg.requireSecure:
		s.answer(s.conn, verdictInsecure, msg, transportPlain)
	default:
		backend, ok := s.dial()
		if !ok {
			s.answer(s.conn, verdictUnavailable, msg, transportPlain)
			return
		}
		s.forward(backend, msg.raw)
	}
}

// answerInTLS completes the handshake with the server's certificate, reads the StartupMessage inside TLS
// and answers it. direct requires the ALPN protocol PostgreSQL requires for direct TLS.
func (s *session) answerInTLS(tc *tls.Conn, v verdict, direct bool) {
	defer tc.Close() // sends close_notify after the answer
	if err := tc.HandshakeContext(s.e.ctx); err != nil {
		s.drop("tls_handshake_failed", err)
		return
	}
	if direct && tc.ConnectionState().NegotiatedProtocol != alpnPostgres {
		s.drop("direct_tls_without_alpn", nil)
		return
	}
	msg, err := readFirstMessage(tc)
	if err != nil {
		s.drop(readFailure(err), err)
		return
	}
	if msg.kind != kindStartup && msg.kind != kindUnsupported {
		// A CancelRequest inside TLS from a refused address, or a second negotiation: close unanswered.
		s.drop(string(v), nil)
		return
	}
	s.answer(tc, v, msg, transportSSL)
}

// answer sends the FATAL PostgreSQL would send for v and logs the refusal.
func (s *session) answer(w io.Writer, v verdict, msg firstMessage, enc transport) {
	perr := answerFor(v, msg, s.peer.Addr(), enc)
	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String("client", s.peer.String()),
		slog.String("reason", string(v)),
		slog.String("sqlstate", perr.code),
		slog.String("user", msg.params.user),
		slog.String("database", msg.params.databaseOrUser()),
		slog.String("transport", string(enc)),
	}
	if v == verdictUnavailable {
		s.e.stats.unavailable.Add(1)
		level = slog.LevelWarn
		if s.dialErr != nil {
			attrs = append(attrs, slog.String("backend_error", s.dialErr.Error()))
		}
	} else {
		s.e.stats.refused.Add(1)
	}
	s.e.logger.LogAttrs(s.e.ctx, level, "connection refused", attrs...)
	if _, err := w.Write(perr.encode()); err != nil {
		s.e.logger.Debug("writing refusal failed", slog.String("client", s.peer.String()), slog.Any("err", err))
	}
}

// dial connects to the current backend of the snapshot; a failure is kept in s.dialErr.
func (s *session) dial() (net.Conn, bool) {
	if s.cfg.backend == "" {
		s.dialErr = errors.New("no backend")
		return nil, false
	}
	d := net.Dialer{Timeout: s.e.timeouts.dial, Control: s.e.dialControl}
	ctx, done := s.e.dialing(s.cfg.backend)
	c, err := d.DialContext(ctx, "tcp", s.cfg.backend)
	done()
	if err != nil {
		s.dialErr = err
		return nil, false
	}
	if !s.e.track(c) {
		c.Close()
		s.dialErr = net.ErrClosed
		return nil, false
	}
	return c, true
}

// forward hands the client's first message to the backend and then copies bytes both ways untouched.
func (s *session) forward(backend net.Conn, first []byte) {
	defer s.e.release(backend)
	if err := backend.SetWriteDeadline(time.Now().Add(s.e.timeouts.startup)); err != nil {
		s.drop("set_deadline_failed", err)
		return
	}
	if _, err := backend.Write(first); err != nil {
		s.drop("backend_write_failed", err)
		return
	}
	if err := errors.Join(backend.SetDeadline(time.Time{}), s.conn.SetDeadline(time.Time{})); err != nil {
		s.drop("set_deadline_failed", err)
		return
	}
	s.e.stats.forwarded.Add(1)
	splice(s.conn, backend, s.e.timeouts.drain)
}

func (s *session) write(b []byte) bool {
	if _, err := s.conn.Write(b); err != nil {
		s.drop("write_failed", err)
		return false
	}
	return true
}

// drop records a connection closed without an answer.
func (s *session) drop(reason string, err error) {
	s.e.stats.dropped.Add(1)
	level := slog.LevelInfo
	if reason == "client_closed" || reason == "gateway_closed" {
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{slog.String("client", s.peer.String()), slog.String("reason", reason),
		slog.Bool("allowed", s.allowed)}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	s.e.logger.LogAttrs(s.e.ctx, level, "connection dropped", attrs...)
}

// readFailure names why a first message could not be read.
func readFailure(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "client_closed"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "startup_timeout"
	case errors.Is(err, errInvalidLength), errors.Is(err, errInvalidLayout):
		return "malformed_startup"
	case errors.Is(err, net.ErrClosed):
		return "gateway_closed"
	}
	return "read_failed"
}

// prefixedConn is a connection whose first bytes were already consumed and are served again from r.
type prefixedConn struct {
	net.Conn
	r io.Reader
}

func (p *prefixedConn) Read(b []byte) (int, error) { return p.r.Read(b) }
