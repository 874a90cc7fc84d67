package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// Database is a database as the configuration API shows it.
type Database struct {
	Name      string
	Charset   string // encoding name as PostgreSQL reports it, e.g. UTF8
	Collation string // LC_COLLATE (LC_CTYPE is set to the same value)
}

// ErrDatabaseMismatch is returned (wrapped) by CreateDatabase when the database exists with another charset or
// collation: creating it again cannot converge, and dropping it would lose data.
var ErrDatabaseMismatch = errors.New("postgres: database exists with different settings")

// hiddenDatabases are never listed: templates and the service's own database.
var hiddenDatabases = []string{"template0", "template1", "azure_maintenance"}

// protectedDatabases may not be created or dropped through these calls. postgres stays because management
// connections use it.
var protectedDatabases = map[string]bool{"template0": true, "template1": true, "azure_maintenance": true,
	"azure_sys": true, ManagementDatabase: true}

const (
	defaultCharset   = "UTF8"
	defaultCollation = "en_US.utf8"
)

// CreateDatabase creates name from template0 with the given encoding and collation (LC_COLLATE and LC_CTYPE)
// and, when owner is not empty, that owner. Empty charset or collation mean UTF8 and en_US.utf8. If the
// database already exists with the same settings it succeeds without change (a resumed operation may repeat
// it); with different settings it returns ErrDatabaseMismatch. As on the service, the new database's public
// schema belongs to azure_pg_admin (template0 gives it to pg_database_owner); a repeat finishes that step too.
func CreateDatabase(ctx context.Context, conn *pgx.Conn, name, charset, collation, owner string) error {
	if charset == "" {
		charset = defaultCharset
	}
	if collation == "" {
		collation = defaultCollation
	}
	stmt, err := createDatabaseSQL(name, charset, collation, owner)
	if err != nil {
		return err
	}
	existing, found, err := GetDatabase(ctx, conn, name)
	if err != nil {
		return err
	}
	if found {
		if err := sameDatabase(existing, charset, collation); err != nil {
			return err
		}
	} else if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("postgres: create database %q: %w", name, err)
	}
	return givePublicToAdminGroup(ctx, conn, name)
}

func createDatabaseSQL(name, charset, collation, owner string) (string, error) {
	if protectedDatabases[name] {
		return "", fmt.Errorf("postgres: database %q is reserved", name)
	}
	db, err := ident("database", name)
	if err != nil {
		return "", err
	}
	enc, err := quoteLiteral(charset)
	if err != nil {
		return "", err
	}
	coll, err := quoteLiteral(collation)
	if err != nil {
		return "", err
	}
	stmt := "CREATE DATABASE " + db
	if owner != "" {
		o, err := ident("role", owner)
		if err != nil {
			return "", err
		}
		stmt += " OWNER " + o
	}
	return stmt + " TEMPLATE template0 ENCODING " + enc + " LC_COLLATE " + coll + " LC_CTYPE " + coll, nil
}

func sameDatabase(db Database, charset, collation string) error {
	if encodingKey(db.Charset) != encodingKey(charset) {
		return fmt.Errorf("%w: %q has charset %s, not %s", ErrDatabaseMismatch, db.Name, db.Charset, charset)
	}
	if localeKey(db.Collation) != localeKey(collation) {
		return fmt.Errorf("%w: %q has collation %s, not %s", ErrDatabaseMismatch, db.Name, db.Collation, collation)
	}
	return nil
}

// encodingKey compares encoding names the way PostgreSQL looks them up: case and punctuation do not matter
// (UTF8, utf-8 and UTF_8 are one encoding).
func encodingKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// localeKey compares locale names the way glibc resolves them: the codeset after the dot ignores case and
// punctuation (en_US.utf8 = en_US.UTF-8), the language and territory do not.
func localeKey(s string) string {
	lang, codeset, found := strings.Cut(s, ".")
	if !found {
		return s
	}
	modifier := ""
	if cs, mod, ok := strings.Cut(codeset, "@"); ok {
		codeset, modifier = cs, "@"+mod
	}
	return lang + "." + encodingKey(codeset) + modifier
}

// DropDatabase drops name, disconnecting its sessions (WITH (FORCE)). A missing database is not an error.
func DropDatabase(ctx context.Context, conn *pgx.Conn, name string) error {
	if protectedDatabases[name] {
		return fmt.Errorf("postgres: database %q is reserved", name)
	}
	db, err := ident("database", name)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("postgres: drop database %q: %w", name, err)
	}
	return nil
}

const databaseColumns = "SELECT datname, pg_encoding_to_char(encoding), datcollate FROM pg_database"

// GetDatabase returns the database called name and whether it exists.
func GetDatabase(ctx context.Context, conn *pgx.Conn, name string) (Database, bool, error) {
	var db Database
	err := conn.QueryRow(ctx, databaseColumns+" WHERE datname = $1", name).Scan(&db.Name, &db.Charset, &db.Collation)
	if errors.Is(err, pgx.ErrNoRows) {
		return Database{}, false, nil
	}
	if err != nil {
		return Database{}, false, fmt.Errorf("postgres: read database %q: %w", name, err)
	}
	return db, true, nil
}
