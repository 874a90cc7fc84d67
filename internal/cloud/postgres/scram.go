package postgres

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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
	storedKey, serverKey := scramKeys(password, salt, iterations)
	enc := base64.StdEncoding
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations,
		enc.EncodeToString(salt), enc.EncodeToString(storedKey), enc.EncodeToString(serverKey))
}

// scramKeys derives the StoredKey and ServerKey of password for salt and iterations.
func scramKeys(password string, salt []byte, iterations int) (storedKey, serverKey []byte) {
	salted := pbkdf2.Key([]byte(saslPrepPassword(password)), salt, iterations, scramKeyLen, sha256.New)
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return stored[:], hmacSHA256(salted, "Server Key")
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

// ErrNotSCRAMVerifier is returned by VerifySCRAM for a value that is not a SCRAM-SHA-256 verifier.
var ErrNotSCRAMVerifier = errors.New("postgres: not a SCRAM-SHA-256 verifier")

// VerifySCRAM reports whether verifier was made from password, as PostgreSQL decides it when a client logs in:
// the password's keys, derived with the verifier's salt and iteration count, equal the stored ones. Tests use
// it to learn which password reached a server without the cleartext ever being kept.
func VerifySCRAM(verifier, password string) (bool, error) {
	if !IsSCRAMVerifier(verifier) {
		return false, ErrNotSCRAMVerifier
	}
	// The shape is checked: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>".
	iterSalt, keys, _ := strings.Cut(strings.TrimPrefix(verifier, "SCRAM-SHA-256$"), "$")
	iterText, saltText, _ := strings.Cut(iterSalt, ":")
	storedText, serverText, _ := strings.Cut(keys, ":")
	iterations, err := strconv.Atoi(iterText)
	if err != nil {
		return false, fmt.Errorf("%w: iteration count: %w", ErrNotSCRAMVerifier, err)
	}
	enc := base64.StdEncoding
	salt, err1 := enc.DecodeString(saltText)
	wantStored, err2 := enc.DecodeString(storedText)
	wantServer, err3 := enc.DecodeString(serverText)
	if err := errors.Join(err1, err2, err3); err != nil {
		return false, fmt.Errorf("%w: %w", ErrNotSCRAMVerifier, err)
	}
	stored, server := scramKeys(password, salt, iterations)
	return hmac.Equal(stored, wantStored) && hmac.Equal(server, wantServer), nil
}
