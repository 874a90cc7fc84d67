package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestReadFirstMessage(t *testing.T) {
	cases := []struct {
		name    string
		in      []byte
		kind    messageKind
		params  startupParams
		wantErr error
	}{
		{name: "ssl", in: []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, kind: kindSSLRequest},
		{name: "gssenc", in: []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}, kind: kindGSSENCRequest},
		{name: "cancel", in: []byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2}, kind: kindCancelRequest},
		{name: "direct tls", in: []byte{0x16, 3, 1, 2, 0, 1, 0, 1, 0xfc}, kind: kindDirectTLS},
		{name: "startup", in: startupBytes("user", "alice", "database", "shop", "replication", "database"),
			kind: kindStartup, params: startupParams{user: "alice", database: "shop", replication: "database"}},
		{name: "startup no params", in: startupBytes(), kind: kindStartup},
		{name: "protocol 2.0", in: []byte{0, 0, 0, 9, 0, 2, 0, 0, 0}, kind: kindUnsupported},
		{name: "length too small", in: []byte{0, 0, 0, 7, 0, 3, 0, 0}, wantErr: errInvalidLength},
		{name: "length too large", in: []byte{0, 0, 0x27, 0x11, 0, 3, 0, 0}, wantErr: errInvalidLength},
		{name: "ssl with body", in: []byte{0, 0, 0, 9, 0x04, 0xd2, 0x16, 0x2f, 0}, wantErr: errInvalidLength},
		{name: "cancel too short", in: []byte{0, 0, 0, 12, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1}, wantErr: errInvalidLength},
		{name: "empty startup body", in: []byte{0, 0, 0, 8, 0, 3, 0, 0}, wantErr: errInvalidLayout},
		{name: "value missing", in: []byte{0, 0, 0, 15, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'x', 0}, wantErr: errInvalidLayout},
		{name: "empty name mid-list", in: []byte{0, 0, 0, 13, 0, 3, 0, 0, 0, 'a', 0, 'b', 0}, wantErr: errInvalidLayout},
		{name: "truncated", in: []byte{0, 0, 0, 30, 0, 3, 0, 0, 'u'}, wantErr: io.ErrUnexpectedEOF},
		{name: "empty", in: nil, wantErr: io.EOF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wantErr != nil {
				_, err := readFirstMessage(bytes.NewReader(tc.in))
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				return
			}
			r := bytes.NewReader(append(bytes.Clone(tc.in), "trailing"...))
			msg, err := readFirstMessage(r)
			if err != nil {
				t.Fatal(err)
			}
			if msg.kind != tc.kind || msg.params != tc.params {
				t.Fatalf("got kind %d params %+v", msg.kind, msg.params)
			}
			wantRaw := tc.in
			if tc.kind == kindDirectTLS {
				wantRaw = tc.in[:headerLen]
			}
			if !bytes.Equal(msg.raw, wantRaw) {
				t.Fatalf("raw = % x, want % x", msg.raw, wantRaw)
			}
			// Nothing past the message may be consumed: the rest belongs to the backend.
			if rest, _ := io.ReadAll(r); !strings.HasSuffix(string(rest), "trailing") ||
				len(rest) != len(tc.in)-len(wantRaw)+len("trailing") {
				t.Fatalf("parser consumed past the message: rest %q", rest)
			}
		})
	}
}

// The ErrorResponse decodes with pgx's own protocol decoder into the expected fields.
func TestAnswerEncoding(t *testing.T) {
	client := netip.MustParseAddr("::ffff:10.1.2.3")
	cases := []struct {
		name     string
		v        verdict
		msg      firstMessage
		enc      transport
		code     string
		wantText string
	}{
		{"firewall plain", verdictFirewall, firstMessage{kind: kindStartup, params: startupParams{user: "u", database: "d"}},
			transportPlain, "28000", `no pg_hba.conf entry for host "10.1.2.3", user "u", database "d", no encryption`},
		{"database defaults to user", verdictInsecure, firstMessage{kind: kindStartup, params: startupParams{user: "u"}},
			transportSSL, "28000", `no pg_hba.conf entry for host "10.1.2.3", user "u", database "u", SSL encryption`},
		{"physical replication", verdictFirewall, firstMessage{kind: kindStartup, params: startupParams{user: "r", replication: "on"}},
			transportSSL, "28000", `no pg_hba.conf entry for replication connection from host "10.1.2.3", user "r", SSL encryption`},
		{"no user", verdictUnavailable, firstMessage{kind: kindStartup},
			transportPlain, "28000", "no PostgreSQL user name specified in startup packet"},
		{"unavailable", verdictUnavailable, firstMessage{kind: kindStartup, params: startupParams{user: "u"}},
			transportPlain, "57P03", "the database system is not accepting connections"},
		{"old protocol", verdictFirewall, firstMessage{kind: kindUnsupported, version: 2 << 16},
			transportPlain, "0A000", "unsupported frontend protocol 2.0: server supports 3.0 to 3.0"},
		{"NUL in a value is dropped", verdictFirewall, firstMessage{kind: kindStartup, params: startupParams{user: "a\x00b"}},
			transportPlain, "28000", `no pg_hba.conf entry for host "10.1.2.3", user "ab", database "ab", no encryption`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			buf := answerFor(tc.v, tc.msg, client, tc.enc).encode()
			if buf[0] != 'E' || int(uint32(buf[1])<<24|uint32(buf[2])<<16|uint32(buf[3])<<8|uint32(buf[4])) != len(buf)-1 {
				t.Fatalf("bad framing % x", buf)
			}
			var er pgproto3.ErrorResponse
			if err := er.Decode(buf[5:]); err != nil {
				t.Fatal(err)
			}
			if er.Severity != "FATAL" || er.SeverityUnlocalized != "FATAL" || er.Code != tc.code || er.Message != tc.wantText {
				t.Fatalf("got %+v", er)
			}
		})
	}
}

// FuzzFirstMessage feeds arbitrary bytes to the first-message parser: it must never panic, never read past
// the message it returns, and never accept a message longer than the cap.
func FuzzFirstMessage(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f})
	f.Add([]byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2})
	f.Add(startupBytes("user", "alice", "database", "shop"))
	f.Add([]byte{0x16, 3, 1, 0, 0xff, 1, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 3, 0, 0})
	f.Add([]byte{0, 0, 0, 12, 0, 3, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		msg, err := readFirstMessage(r)
		if err != nil {
			return
		}
		consumed := len(in) - r.Len()
		if len(msg.raw) != consumed || !bytes.Equal(msg.raw, in[:consumed]) {
			t.Fatalf("raw (%d bytes) is not what was consumed (%d bytes)", len(msg.raw), consumed)
		}
		if len(msg.raw) > maxStartupLen {
			t.Fatalf("accepted %d bytes", len(msg.raw))
		}
		if msg.kind == kindStartup && !strings.Contains(string(msg.raw), msg.params.user) {
			t.Fatalf("user %q not from the message", msg.params.user)
		}
		// Re-parsing what was accepted gives the same answer.
		if msg.kind != kindDirectTLS {
			again, err := parseFirstMessage(msg.raw)
			if err != nil || again.kind != msg.kind || again.params != msg.params {
				t.Fatalf("re-parse differs: %+v %v", again, err)
			}
		}
		_ = answerFor(verdictFirewall, msg, netip.MustParseAddr("127.0.0.1"), transportPlain).encode()
	})
}

// A huge declared length is refused before anything of that size is allocated.
func TestHugeLengthAllocatesNothingLarge(t *testing.T) {
	in := []byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0}
	const runs = 100
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := readFirstMessage(bytes.NewReader(in)); !errors.Is(err, errInvalidLength) {
			t.Fatalf("got %v", err)
		}
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 1024 {
		t.Fatalf("%d bytes allocated per rejected header", perRun)
	}
}
