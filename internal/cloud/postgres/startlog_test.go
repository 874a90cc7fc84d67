package postgres

import (
	"strings"
	"testing"
)

// Log lines as the flexpg/postgres images write them (log_line_prefix '%t-%c-'), taken from real runs.
const (
	prevRun = `2026-12-01 22:34:44 UTC-6b0f4b84.21-LOG:  database system is ready to accept connections
2026-12-01 22:34:50 UTC-6b0f4b8a.2e-FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "app", database "postgres", SSL encryption
2026-12-01 22:34:54 UTC-6b0f4b84.21-LOG:  received fast shutdown request
2026-12-01 22:34:54 UTC-6b0f4b8c.31-FATAL:  terminating connection due to administrator command
2026-12-01 22:34:54 UTC-6b0f4b84.22-LOG:  shutting down
2026-12-01 22:34:54 UTC-6b0f4b84.21-LOG:  database system is shut down
`
	shmemRun = `2026-12-01 22:34:55 UTC-6b0f4b8e.2a-LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
2026-12-01 22:34:55 UTC-6b0f4b8e.2a-FATAL:  could not map anonymous shared memory: Cannot allocate memory
2026-12-01 22:34:55 UTC-6b0f4b8e.2a-HINT:  This error usually means that PostgreSQL's request for a shared memory segment exceeded available memory, swap space, or huge pages.
2026-12-01 22:34:55 UTC-6b0f4b8e.2a-LOG:  database system is shut down
`
	configRun = `2026-12-01 22:34:31 GMT-6b0f4b77.22-LOG:  invalid value for parameter "TimeZone": "Mars/Olympus"
2026-12-01 22:34:31 GMT-6b0f4b77.22-LOG:  parameter "work_mem" requires a numeric value
2026-12-01 22:34:31 GMT-6b0f4b77.22-FATAL:  configuration file "/etc/flexpg/postgresql.conf" contains errors
`
)

func TestStartError(t *testing.T) {
	cases := []struct{ name, log, want string }{
		{"shared memory, after a clean run", prevRun + shmemRun,
			"FATAL:  could not map anonymous shared memory: Cannot allocate memory"},
		{"missing library", prevRun + "2026-12-01 22:34:54 UTC-6b0f4b8e.2d-FATAL:  could not access file \"PG_STAT_STATEMENTS\": No such file or directory\n" +
			"2026-12-01 22:34:54 UTC-6b0f4b8e.2d-LOG:  database system is shut down\n",
			`FATAL:  could not access file "PG_STAT_STATEMENTS": No such file or directory`},
		{"configuration errors name their parameters", prevRun + configRun,
			`LOG:  invalid value for parameter "TimeZone": "Mars/Olympus"; LOG:  parameter "work_mem" requires a numeric value; ` +
				`FATAL:  configuration file "/etc/flexpg/postgresql.conf" contains errors`},
		{"postgres -C output (no prefix)", "LOG:  invalid value for parameter \"TimeZone\": \"Nowhere\"\nFATAL:  configuration file \"/etc/flexpg/postgresql.conf\" contains errors\n",
			`LOG:  invalid value for parameter "TimeZone": "Nowhere"; FATAL:  configuration file "/etc/flexpg/postgresql.conf" contains errors`},
		{"a missed recovery target, then the probe and the archiver as the postmaster shuts down", prevRun +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2a-LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2c-LOG:  starting point-in-time recovery to 2026-12-03 07:51:28.5+00\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2c-FATAL:  recovery ended before configured recovery target was reached\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c02.31-FATAL:  the database system is in recovery mode\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2a-LOG:  startup process (PID 44) exited with exit code 1\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2e-FATAL:  archive command was terminated by signal 3: Quit\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2e-DETAIL:  The failed archive command was: /bin/true\n" +
			"2026-12-03 07:51:31 UTC-6b0f4c01.2a-LOG:  database system is shut down\n",
			"FATAL:  recovery ended before configured recovery target was reached"},
		{"only a bystander", prevRun + "x-FATAL:  the database system is starting up\nx-LOG:  database system is shut down\n",
			"FATAL:  the database system is starting up"},
		{"detail follows", prevRun + "x-FATAL:  could not set SSL protocol version range\nx-DETAIL:  \"ssl_min_protocol_version\" cannot be higher than \"ssl_max_protocol_version\".\nx-LOG:  database system is shut down\n",
			`FATAL:  could not set SSL protocol version range; DETAIL:  "ssl_min_protocol_version" cannot be higher than "ssl_max_protocol_version".`},
		{"killed: an earlier run's FATAL is not quoted", prevRun + "2026-12-01 22:35:00 UTC-6b0f4b8e.2a-LOG:  starting PostgreSQL 15.18\n", ""},
		{"only an earlier run", prevRun, ""},
		{"empty", "", ""},
		{"panic", "p-LOG:  database system was interrupted\np-PANIC:  could not locate a valid checkpoint record\n", "PANIC:  could not locate a valid checkpoint record"},
		{"CRLF and other prefixes", "2026-12-01 10:00:00.123 UTC [42] FATAL:  data directory \"/x\" has invalid permissions\r\n",
			`FATAL:  data directory "/x" has invalid permissions`},
		{"text that only looks like a severity", "flexpg-entrypoint: DATA is not empty\nNOTFATAL: x\n", ""},
	}
	for _, c := range cases {
		if got := StartError(c.log); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestCheckConfigCommand(t *testing.T) {
	cmd := strings.Join(CheckConfigCommand(), " ")
	if cmd != "postgres -C data_directory -c config_file=/etc/flexpg/postgresql.conf" {
		t.Fatalf("command %q", cmd)
	}
}
