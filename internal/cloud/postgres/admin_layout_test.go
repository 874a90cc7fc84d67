package postgres

import (
	"slices"
	"strings"
	"testing"
)

func TestAdminLayoutSQL(t *testing.T) {
	common := []string{
		`GRANT "azure_pg_admin" TO "app""admin" WITH ADMIN OPTION`,
		`GRANT pg_read_all_settings, pg_read_all_stats, pg_signal_backend TO "app""admin"`,
		`GRANT ALL ON DATABASE "postgres" TO "azure_pg_admin"`,
		`ALTER SCHEMA public OWNER TO "azure_pg_admin"`,
	}
	selfGrant := `ALTER ROLE "app""admin" SET createrole_self_grant = 'set, inherit'`
	tests := []struct {
		major int
		want  []string
	}{
		// PostgreSQL 15 has no createrole_self_grant (setting it would fail): CREATEROLE still lets the admin
		// grant itself any role it needs.
		{15, common},
		{16, append(slices.Clone(common), selfGrant)},
		{17, append(slices.Clone(common), selfGrant)},
	}
	for _, tc := range tests {
		got := adminLayoutSQL(`"app""admin"`, `"azure_pg_admin"`, tc.major)
		if !slices.Equal(got, tc.want) {
			t.Errorf("major %d:\n got %s\nwant %s", tc.major, strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
		}
	}
}
