package dns

import (
	"testing"
)

// FuzzParseQuery feeds arbitrary bytes to the parser and the whole answering
// path. Nothing may panic, a reply must fit the UDP limit, decode cleanly and
// carry the query's ID.
func FuzzParseQuery(f *testing.F) {
	f.Add(rawQuery(f, 1, fqdn, typeA, classIN, nil))
	f.Add(rawQuery(f, 2, "A.B", typeAAAA, classIN, &edns{udpSize: 4096, do: true}))
	f.Add(rawQuery(f, 3, "version.bind", 16, 3, nil))
	f.Add(msgWith(0xC0, 12, 0, 1, 0, 1))
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 'a', 'b', 'c', 0xC0, 12})
	view := testView()
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) > maxTCPSize {
			t.Skip("larger than any DNS message")
		}
		if qr, err := parseQuery(msg); err == nil && len(qr.q.name.append(nil)) > maxNameWireLen {
			t.Fatalf("accepted a name of %d bytes", len(qr.q.name.append(nil)))
		}
		resp, _ := respond(view, msg, clientA, overUDP)
		if resp == nil {
			return
		}
		if len(resp) > serverUDPSize {
			t.Fatalf("UDP reply of %d bytes", len(resp))
		}
		d := decodeReply(t, resp)
		if q, _ := readHeader(msg); d.hdr.id != q.id {
			t.Fatalf("reply id %d, query id %d", d.hdr.id, q.id)
		}
	})
}
