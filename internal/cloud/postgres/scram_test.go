package postgres

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"regexp"
	"strconv"
	"testing"
)

var verifierShape = regexp.MustCompile(`^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$`)

type parsedVerifier struct {
	iterations                 int
	salt, storedKey, serverKey []byte
}

func parseVerifier(t *testing.T, v string) parsedVerifier {
	t.Helper()
	m := verifierShape.FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("verifier %q has the wrong shape", v)
	}
	iter, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	dec := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("base64 %q: %v", s, err)
		}
		return b
	}
	return parsedVerifier{iterations: iter, salt: dec(m[2]), storedKey: dec(m[3]), serverKey: dec(m[4])}
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// pbkdf2OneBlock is PBKDF2-HMAC-SHA-256 written out from RFC 8018 for a 32-byte key (one block), independent of
// the library the package uses.
func pbkdf2OneBlock(password, salt []byte, iterations int) []byte {
	m := hmac.New(sha256.New, password)
	m.Write(salt)
	m.Write(binary.BigEndian.AppendUint32(nil, 1))
	u := m.Sum(nil)
	out := append([]byte(nil), u...)
	for i := 1; i < iterations; i++ {
		m.Reset()
		m.Write(u)
		u = m.Sum(nil)
		for j := range out {
			out[j] ^= u[j]
		}
	}
	return out
}

func TestSCRAMVerifierShapeAndSalt(t *testing.T) {
	a, err := SCRAMVerifier("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	b, err := SCRAMVerifier("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := parseVerifier(t, a), parseVerifier(t, b)
	if pa.iterations != 4096 || len(pa.salt) != 16 || len(pa.storedKey) != 32 || len(pa.serverKey) != 32 {
		t.Fatalf("verifier fields: %d iterations, salt %d, keys %d/%d bytes", pa.iterations, len(pa.salt), len(pa.storedKey), len(pa.serverKey))
	}
	if bytes.Equal(pa.salt, pb.salt) {
		t.Fatal("two verifiers share a salt")
	}
	if _, err := SCRAMVerifier(""); err == nil {
		t.Fatal("empty password accepted")
	}
}

// TestSCRAMVerifierMath recomputes StoredKey and ServerKey from the verifier's own salt with an independent
// PBKDF2.
func TestSCRAMVerifierMath(t *testing.T) {
	for _, password := range []string{"pencil", "Sup3r$ecret'pass\\word", "x"} {
		v, err := SCRAMVerifier(password)
		if err != nil {
			t.Fatal(err)
		}
		p := parseVerifier(t, v)
		salted := pbkdf2OneBlock([]byte(password), p.salt, p.iterations)
		clientKey := mac(salted, "Client Key")
		stored := sha256.Sum256(clientKey)
		if !bytes.Equal(stored[:], p.storedKey) {
			t.Errorf("%q: StoredKey mismatch", password)
		}
		if !bytes.Equal(mac(salted, "Server Key"), p.serverKey) {
			t.Errorf("%q: ServerKey mismatch", password)
		}
	}
}

// TestSCRAMVerifierRFC7677 plays the server side of the RFC 7677 section 3 example exchange with a verifier
// computed for its salt: the client's proof must check out and the server signature must equal the RFC's.
func TestSCRAMVerifierRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	p := parseVerifier(t, scramVerifierWithSalt("pencil", salt, 4096))
	const authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO," +
		"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," +
		"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	proof, _ := base64.StdEncoding.DecodeString("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	clientSignature := mac(p.storedKey, authMessage)
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ clientSignature[i]
	}
	if sum := sha256.Sum256(clientKey); !bytes.Equal(sum[:], p.storedKey) {
		t.Error("RFC 7677 client proof does not verify against StoredKey")
	}
	serverSignature := base64.StdEncoding.EncodeToString(mac(p.serverKey, authMessage))
	if serverSignature != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("server signature = %s, want the RFC's", serverSignature)
	}
}

func TestSCRAMVerifierUsesSASLprep(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, 16)
	// U+00AD (soft hyphen) is mapped to nothing, U+00A0 to a space, and the ligature U+FB01 to "fi".
	pairs := [][2]string{{"pa\u00ADss", "pass"}, {"a\u00A0b", "a b"}, {"\uFB01x", "fix"}}
	for _, p := range pairs {
		if scramVerifierWithSalt(p[0], salt, 4096) != scramVerifierWithSalt(p[1], salt, 4096) {
			t.Errorf("%q and %q should hash alike", p[0], p[1])
		}
	}
}

func TestIsSCRAMVerifier(t *testing.T) {
	good, err := SCRAMVerifier("pencil")
	if err != nil {
		t.Fatal(err)
	}
	if !IsSCRAMVerifier(good) {
		t.Fatalf("own verifier %q refused", good)
	}
	for _, bad := range []string{"", "pencil", "md5" + "0123456789abcdef0123456789abcdef", good + "'", good + "\n",
		"SCRAM-SHA-256$0:c2FsdA==$" + good[len(good)-89:], good[:len(good)-1]} {
		if IsSCRAMVerifier(bad) {
			t.Errorf("IsSCRAMVerifier(%q) = true", bad)
		}
	}
}

func TestVerifySCRAM(t *testing.T) {
	v, err := SCRAMVerifier("Str0ng-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	// The salt and iteration count come from the verifier: one made with other values verifies as well.
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	other := scramVerifierWithSalt("pencil", salt, 10000)
	// SASLprep applies on both sides: U+00A0 is a space.
	prepped := scramVerifierWithSalt("a\u00A0b", salt, 4096)
	for _, tt := range []struct {
		verifier, password string
		want               bool
	}{
		{v, "Str0ng-Passw0rd!", true},
		{v, "Str0ng-Passw0rd", false},
		{v, "str0ng-Passw0rd!", false},
		{v, "", false},
		{other, "pencil", true},
		{other, "pencil2", false},
		{prepped, "a b", true},
	} {
		got, err := VerifySCRAM(tt.verifier, tt.password)
		if err != nil || got != tt.want {
			t.Errorf("VerifySCRAM(%s, %q) = %v, %v; want %v", tt.verifier, tt.password, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "pencil", "md5" + "0123456789abcdef0123456789abcdef", v + "x", v[:len(v)-1]} {
		if _, err := VerifySCRAM(bad, "pencil"); !errors.Is(err, ErrNotSCRAMVerifier) {
			t.Errorf("VerifySCRAM(%q) error = %v, want ErrNotSCRAMVerifier", bad, err)
		}
	}
}
