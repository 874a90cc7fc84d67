package postgres

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"

	"golang.org/x/crypto/pbkdf2"
)

const (
	scramIterations = 4096 // PostgreSQL's scram_iterations default; the service fixes it
	scramSaltLen    = 16
	scramKeyLen     = sha256.Size
)

// SCRAMVerifier hashes password into the SCRAM-SHA-256 secret PostgreSQL stores in pg_authid:
// "SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>". The cloud sends only this verifier in ALTER ROLE, so
// the cleartext never travels in SQL or reaches the server's logs.
func SCRAMVerifier(password string) (string, error) {
	if password == "" {
		return "", errors.New("postgres: empty password")
	}
	salt := make([]byte, scramSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("postgres: SCRAM salt: %w", err)
	}
	return scramVerifierWithSalt(password, salt, scramIterations), nil
}

// scramVerifierWithSalt computes the verifier per RFC 5802 / RFC 7677:
//
//	SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations)
//	StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
//	ServerKey      = HMAC(SaltedPassword, "Server Key")
func scramVerifierWithSalt(password string, salt []byte, iterations int) string {
	salted := pbkdf2.Key([]byte(saslPrepPassword(password)), salt, iterations, scramKeyLen, sha256.New)
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	enc := base64.StdEncoding
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations,
		enc.EncodeToString(salt), enc.EncodeToString(storedKey[:]), enc.EncodeToString(serverKey))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// scramVerifierPattern is the stored form: iterations, then base64 salt, StoredKey (32 bytes) and ServerKey.
var scramVerifierPattern = regexp.MustCompile(
	`^SCRAM-SHA-256\$[1-9][0-9]{0,9}:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$`)

// IsSCRAMVerifier reports whether v has the shape of a SCRAM-SHA-256 verifier as SCRAMVerifier makes it (and
// PostgreSQL stores it). PostgreSQL treats a PASSWORD value of this shape as already hashed.
func IsSCRAMVerifier(v string) bool {
	return scramVerifierPattern.MatchString(v)
}
