package postgres

import (
	"regexp"
	"strings"
)

// CheckConfigCommand is the command, run as the image's postgres OS user inside a server's container, that
// makes PostgreSQL read ConfigFile and check every value in it the way a start does (check hooks included:
// a time zone that does not exist, a value out of range), then exit without touching the running server.
// `postgres -C` is documented as safe while the server runs. It exits non-zero and writes PostgreSQL's own
// error lines to stderr when the file would keep PostgreSQL from starting. It does not reserve shared memory
// or load libraries, so a start can still fail on those (StartError reads that from the log).
func CheckConfigCommand() []string {
	return []string{"postgres", "-C", "data_directory", "-c", "config_file=" + ConfigFile}
}

// logLine finds the severity of a server log line after whatever log_line_prefix wrote before it
// ("2024-05-01 10:00:00 UTC-663a1b2c.1-FATAL:  ..."). PostgreSQL puts two spaces after the colon.
var logLine = regexp.MustCompile(`(?:^|[^A-Z])(DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT):  (.*)$`)

// shutDown is the last line of a server run that ended cleanly, and of most failed starts.
const shutDown = "database system is shut down"

type logEntry struct{ severity, message string }

func (e logEntry) String() string { return e.severity + ":  " + e.message }

// bystanders are FATAL lines that are not why a run ended but what its end did to others: a client the
// cloud's readiness probe connected while the server recovered or shut down, a session ended by the
// shutdown, an archive command the shutdown signalled. They can come after the startup process's own
// FATAL (a recovery that ended before its target, say), so they must not be quoted instead of it.
var bystanders = []string{
	"the database system is ",
	"terminating connection due to administrator command",
	"archive command was terminated by signal",
}

func isBystander(message string) bool {
	for _, b := range bystanders {
		if strings.HasPrefix(message, b) {
			return true
		}
	}
	return false
}

// StartError returns PostgreSQL's own words for why the last start in log failed: the run's last FATAL or
// PANIC line that is not a bystander's (only a bystander's when there is no other), with the DETAIL lines after it and, when the FATAL only says the configuration file contains
// errors, the lines before it that name the parameters. Lines are joined with "; " and keep PostgreSQL's
// spelling but not the log line prefix. The run is what follows the previous run's clean shutdown, so a
// FATAL of an earlier run (a client refused, a session ended at a stop) is never quoted. "" when the run
// logged no such line (the process was killed, say).
func StartError(log string) string {
	entries := lastRun(parseLog(log))
	fatal, bystander := -1, -1
	for i, e := range entries {
		switch {
		case e.severity != "FATAL" && e.severity != "PANIC":
		case isBystander(e.message):
			bystander = i
		default:
			fatal = i
		}
	}
	if fatal < 0 {
		fatal = bystander
	}
	if fatal < 0 {
		return ""
	}
	var out []string
	if strings.HasPrefix(entries[fatal].message, "configuration file ") {
		start := fatal
		for start > 0 && mentionsParameter(entries[start-1]) {
			start--
		}
		for _, e := range entries[start:fatal] {
			out = append(out, e.String())
		}
	}
	out = append(out, entries[fatal].String())
	for _, e := range entries[fatal+1:] {
		if e.severity != "DETAIL" {
			break
		}
		out = append(out, e.String())
	}
	return strings.Join(out, "; ")
}

// mentionsParameter tells the lines guc.c writes about one setting of a configuration file ("invalid value
// for parameter \"TimeZone\": ...", "unrecognized configuration parameter ...", "parameter ... requires a
// Boolean value", "... is outside the valid range for parameter ...").
func mentionsParameter(e logEntry) bool {
	return (e.severity == "LOG" || e.severity == "DETAIL" || e.severity == "HINT") && strings.Contains(e.message, "parameter \"")
}

func parseLog(log string) []logEntry {
	var out []logEntry
	for _, line := range strings.Split(log, "\n") {
		if m := logLine.FindStringSubmatch(strings.TrimRight(line, "\r")); m != nil {
			out = append(out, logEntry{m[1], m[2]})
		}
	}
	return out
}

// lastRun keeps the entries of the last server run in the log. Each run ends with the shutdown line, a failed
// start too (after its FATAL); a run that was asked to shut down is a stopped server, not a failed start, so
// when the last run is one the failed start logged nothing and lastRun returns nothing.
func lastRun(entries []logEntry) []logEntry {
	end := len(entries)
	if end > 0 && entries[end-1].message == shutDown {
		end--
	}
	start := 0
	for i := end - 1; i >= 0; i-- {
		if entries[i].message == shutDown {
			start = i + 1
			break
		}
	}
	for _, e := range entries[start:end] {
		if e.severity == "LOG" && shutdownRequest.MatchString(e.message) {
			return nil
		}
	}
	return entries[start:end]
}

// shutdownRequest is how the postmaster logs a stop signal.
var shutdownRequest = regexp.MustCompile(`^received (smart|fast|immediate) shutdown request$`)
