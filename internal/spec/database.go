package spec

import "strings"

// MaxDatabaseNameLength is PostgreSQL's identifier limit.
const MaxDatabaseNameLength = 63

// Database defaults.
const (
	DefaultCharset   = "UTF8"
	DefaultCollation = "en_US.utf8"
)

// ValidateDatabaseName checks a database name: 1–63 characters, a letter or underscore first, then letters,
// digits, underscores and hyphens; the service's own databases and the templates are refused.
func ValidateDatabaseName(v string) *FieldError {
	const field = "name"
	if v == "" || len(v) > MaxDatabaseNameLength {
		return NewFieldError(field, KindLength, "must be 1 to %d characters long; got %d characters",
			MaxDatabaseNameLength, len(v))
	}
	if !isASCIILetter(v[0]) && v[0] != '_' {
		return NewFieldError(field, KindStart, "must start with a letter or an underscore; got %s", quote(v))
	}
	ok := func(c byte) bool { return isASCIILetter(c) || isASCIIDigit(c) || c == '_' || c == '-' }
	if !onlyBytes(v, ok) {
		return NewFieldError(field, KindCharacters, "may contain only letters, digits, underscores and hyphens; got %s", quote(v))
	}
	for _, reserved := range ReservedDatabaseNames() {
		if strings.EqualFold(v, reserved) {
			return NewFieldError(field, KindReserved, "%s is reserved by the service (reserved databases: %s); choose another name",
				quote(v), joinValues(ReservedDatabaseNames()))
		}
	}
	return nil
}

// Charsets returns the encodings a database can be created with.
//
// Decision: azurerm's list also has BIG5, GBK, GB18030, JOHAB, SJIS, SHIFT_JIS_2004 and UHC, but PostgreSQL
// only allows those as client encodings; CREATE DATABASE refuses them. Because every server here is real
// PostgreSQL, the list holds exactly PostgreSQL's server encodings so a valid plan never fails at apply.
func Charsets() []string {
	return []string{
		"EUC_CN", "EUC_JP", "EUC_JIS_2004", "EUC_KR", "EUC_TW",
		"ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8",
		"KOI8R", "KOI8U",
		"LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9", "LATIN10",
		"MULE_INTERNAL", "SQL_ASCII", "UTF8",
		"WIN866", "WIN874", "WIN1250", "WIN1251", "WIN1252", "WIN1253", "WIN1254", "WIN1255", "WIN1256",
		"WIN1257", "WIN1258",
	}
}

// CanonicalCharset returns the catalog spelling of a charset given in any case.
func CanonicalCharset(v string) (string, bool) {
	for _, c := range Charsets() {
		if strings.EqualFold(c, v) {
			return c, true
		}
	}
	return "", false
}

// ValidateCharset checks charset (case-insensitive).
func ValidateCharset(v string) *FieldError {
	if _, ok := CanonicalCharset(v); ok {
		return nil
	}
	return NewFieldError("charset", KindAllowedValues, "must be one of %s (case-insensitive); got %s",
		joinValues(Charsets()), quote(v))
}

// Collations returns the collations the server image provides. The image is a minimal Debian root with only
// the C, POSIX, C.UTF-8 and en_US.UTF-8 locales generated, so azurerm's ~1200 glibc names would fail at apply.
func Collations() []string {
	return []string{"C", "POSIX", "C.UTF-8", "C.utf8", "en_US.utf8", "en_US.UTF-8"}
}

// ValidateCollation checks collation (exact spelling: locale names are case-sensitive).
func ValidateCollation(v string) *FieldError {
	return validateOneOf("collation", KindAllowedValues, v, Collations())
}

// ValidateCharsetCollation checks that the pair works together: a UTF-8 collation needs charset UTF8, while
// C and POSIX go with any charset. Invalid values on their own are the single-field validators' concern.
func ValidateCharsetCollation(charset, collation string) *FieldError {
	if collation == "C" || collation == "POSIX" || !inList(collation, Collations()) {
		return nil
	}
	if canonical, ok := CanonicalCharset(charset); !ok || canonical == "UTF8" {
		return nil
	}
	return NewFieldError("collation", KindCharsetMatch,
		"%s is a UTF-8 collation and needs charset UTF8; got charset %s (use charset UTF8, or collation C or POSIX)",
		collation, quote(charset))
}
