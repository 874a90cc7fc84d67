package postgres

import (
	"errors"
	"testing"
)

func TestCreateDatabaseSQL(t *testing.T) {
	got, err := createDatabaseSQL(`app"; DROP DATABASE postgres; --`, "UTF8", "en_US.utf8", "admin")
	if err != nil {
		t.Fatal(err)
	}
	want := `CREATE DATABASE "app""; DROP DATABASE postgres; --" OWNER "admin" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'en_US.utf8' LC_CTYPE 'en_US.utf8'`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	got, err = createDatabaseSQL("app", "LATIN1", "it's", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := `CREATE DATABASE "app" TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'it''s' LC_CTYPE 'it''s'`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	for _, reserved := range []string{"template0", "template1", "azure_maintenance", "azure_sys", "postgres"} {
		if _, err := createDatabaseSQL(reserved, "UTF8", "C", ""); err == nil {
			t.Errorf("reserved database %q accepted", reserved)
		}
	}
}

func TestSameDatabase(t *testing.T) {
	db := Database{Name: "app", Charset: "UTF8", Collation: "en_US.utf8"}
	tests := []struct {
		charset, collation string
		same               bool
	}{
		{"UTF8", "en_US.utf8", true},
		{"utf-8", "en_US.UTF-8", true},
		{"UTF_8", "en_US.Utf8", true},
		{"LATIN1", "en_US.utf8", false},
		{"UTF8", "de_DE.utf8", false},
		{"UTF8", "en_us.utf8", false},
		{"UTF8", "C", false},
	}
	for _, tc := range tests {
		err := sameDatabase(db, tc.charset, tc.collation)
		if (err == nil) != tc.same {
			t.Errorf("sameDatabase(%s, %s) = %v, want same=%v", tc.charset, tc.collation, err, tc.same)
		}
		if err != nil && !errors.Is(err, ErrDatabaseMismatch) {
			t.Errorf("error %v is not ErrDatabaseMismatch", err)
		}
	}
}
