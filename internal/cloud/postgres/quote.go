package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// maxIdentifierLen is NAMEDATALEN-1: PostgreSQL silently truncates longer names, which would make the role or
// database the cloud created differ from the one it asked for.
const maxIdentifierLen = 63

// ident validates a role or database name and returns it quoted for SQL.
func ident(kind, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("postgres: empty %s name", kind)
	}
	if len(name) > maxIdentifierLen {
		return "", fmt.Errorf("postgres: %s name %q longer than %d bytes", kind, name, maxIdentifierLen)
	}
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("postgres: %s name contains NUL", kind)
	}
	return pgx.Identifier{name}.Sanitize(), nil
}

// quoteLiteral quotes a string constant for statements that take no bind parameters (DDL). With
// standard_conforming_strings on, only quotes need doubling; a backslash switches to the E-string form so the result
// is correct whatever that setting is.
func quoteLiteral(v string) (string, error) {
	if strings.ContainsRune(v, 0) {
		return "", errors.New("postgres: literal contains NUL")
	}
	q := strings.ReplaceAll(v, `'`, `''`)
	if strings.Contains(q, `\`) {
		return `E'` + strings.ReplaceAll(q, `\`, `\\`) + `'`, nil
	}
	return `'` + q + `'`, nil
}
