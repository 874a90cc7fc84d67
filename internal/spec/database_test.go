package spec

import (
	"slices"
	"strings"
	"testing"
)

func TestValidateDatabaseName(t *testing.T) {
	cases := []struct{ in, rule string }{
		{"app", ""},
		{"_app-db_2", ""},
		{"postgres", ""},
		{strings.Repeat("d", 63), ""},
		{"", "name.length"},
		{strings.Repeat("d", 64), "name.length"},
		{"1app", "name.start"},
		{"-app", "name.start"},
		{"app db", "name.characters"},
		{"app.db", "name.characters"},
		{"azure_maintenance", "name.reserved"},
		{"azure_sys", "name.reserved"},
		{"template0", "name.reserved"},
		{"Template1", "name.reserved"},
	}
	for _, c := range cases {
		checkRule(t, "ValidateDatabaseName("+quote(c.in)+")", ValidateDatabaseName(c.in), c.rule)
	}
}

func TestCharsetsAndCollations(t *testing.T) {
	for _, c := range []string{"UTF8", "utf8", "Latin1", "SQL_ASCII", "WIN1252", "EUC_JP"} {
		checkRule(t, "charset "+c, ValidateCharset(c), "")
	}
	for _, c := range []string{"UTF-8", "BIG5", "SJIS", "GBK", ""} {
		checkRule(t, "charset "+c, ValidateCharset(c), "charset.allowed_values")
	}
	if !slices.Contains(Charsets(), DefaultCharset) || !slices.Contains(Collations(), DefaultCollation) {
		t.Error("defaults must be in their lists")
	}
	for _, c := range Collations() {
		checkRule(t, "collation "+c, ValidateCollation(c), "")
	}
	for _, c := range []string{"de_DE.utf8", "en_us.utf8", "default", ""} {
		checkRule(t, "collation "+c, ValidateCollation(c), "collation.allowed_values")
	}
	pairs := []struct{ charset, collation, rule string }{
		{"UTF8", "en_US.utf8", ""},
		{"utf8", "C.UTF-8", ""},
		{"LATIN1", "C", ""},
		{"SQL_ASCII", "POSIX", ""},
		{"LATIN1", "en_US.utf8", "collation.charset_match"},
		{"WIN1252", "C.utf8", "collation.charset_match"},
		{"bogus", "en_US.utf8", ""}, // charset error is ValidateCharset's
	}
	for _, p := range pairs {
		checkRule(t, p.charset+"/"+p.collation, ValidateCharsetCollation(p.charset, p.collation), p.rule)
	}
}
