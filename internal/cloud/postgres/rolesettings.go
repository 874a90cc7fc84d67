package postgres

import (
	"fmt"
	"strings"
)

// Role settings are the postgresql.conf settings that depend on an instance's role in a highly available
// server (primary or standby), not on the server: they are not server parameters, so the spec catalog does
// not list them and users can neither see nor change them. The caller merges PrimarySettings or
// StandbySettings into the server parameters it passes to RenderConfig, which accepts exactly these names
// besides the catalog's.
var roleSettingNames = map[string]bool{
	"synchronous_standby_names": true,
	"primary_conninfo":          true,
	"primary_slot_name":         true,
	"hot_standby":               true,
	"recovery_target_timeline":  true,
	"wal_sender_timeout":        true,
	"wal_receiver_timeout":      true,
	// Archive and restore (archive.go).
	"archive_mode":              true,
	"archive_command":           true,
	"archive_timeout":           true,
	"restore_command":           true,
	"recovery_target_action":    true,
	"recovery_target_time":      true,
	"recovery_target_inclusive": true,
}

// replicationTimeouts make both ends notice a dead peer within seconds (ha-reliability §1.3, §9): the
// walsender drops a standby that stopped answering, the WAL receiver a primary that went silent, and the
// receiver then reconnects (to whatever primary_conninfo says by then). Both instances get both, so a role
// change does not change them. The sender asks for a reply at half its timeout, so a live standby is never
// dropped by it.
var replicationTimeouts = map[string]string{
	"wal_sender_timeout":   "5s",
	"wal_receiver_timeout": "5s",
}

// PrimarySettings are the role settings of a primary whose commits wait for one of syncStandbys (application
// names of its standbys, in priority order): synchronous_standby_names = 'FIRST 1 ("a", "b")'. With none, it
// is empty and commits are acknowledged locally (HA off).
//
// While HA is on the cloud never empties the list, not even while the standby is away: that is the
// durability choice of the service (zero data loss), and its price is that commits block until the standby
// is back or HA is disabled. A blocked commit must never be cancelled (pg_cancel_backend or a protocol cancel
// makes it return success without the standby having the WAL); the cloud terminates sessions instead.
func PrimarySettings(syncStandbys []string) (map[string]string, error) {
	quoted := make([]string, len(syncStandbys))
	for i, name := range syncStandbys {
		if err := checkSimpleName("standby application name", name); err != nil {
			return nil, err
		}
		// Quoted, so a name that is also a keyword of the syntax (first, any) or starts with a digit still
		// reads as a name.
		quoted[i] = `"` + name + `"`
	}
	names := ""
	if len(quoted) > 0 {
		names = "FIRST 1 (" + strings.Join(quoted, ", ") + ")"
	}
	out := map[string]string{"synchronous_standby_names": names}
	for k, v := range replicationTimeouts {
		out[k] = v
	}
	return out, nil
}

// StandbyConfig is what a physical standby needs to stream from its primary.
type StandbyConfig struct {
	Primary Peer
	// SlotName is the primary's physical slot for this standby (SlotName of the standby's instance), which
	// keeps the primary from recycling WAL the standby has not received yet.
	SlotName string
	// ApplicationName is how the standby introduces itself, the name PrimarySettings lists.
	ApplicationName string
}

// StandbySettings are the role settings of a standby (StandbySignalFile must be in its data directory too).
// primary_conninfo logs in as ReplicationRole with the client certificate at ReplicationCertFile and checks
// the primary's certificate against the cloud CA and Primary.Host (verify-full). hot_standby=on lets the
// cloud's management connection query the standby; users cannot, since a standby is rendered without user
// sources. recovery_target_timeline=latest makes it follow a promotion of another standby.
func StandbySettings(c StandbyConfig) (map[string]string, error) {
	if err := checkSlotName(c.SlotName); err != nil {
		return nil, err
	}
	if err := checkSimpleName("standby application name", c.ApplicationName); err != nil {
		return nil, err
	}
	conninfo, err := replicationConninfo(c.Primary, c.ApplicationName, "")
	if err != nil {
		return nil, err
	}
	out := map[string]string{
		"primary_conninfo":         conninfo,
		"primary_slot_name":        c.SlotName,
		"hot_standby":              "on",
		"recovery_target_timeline": "latest",
	}
	for k, v := range replicationTimeouts {
		out[k] = v
	}
	return out, nil
}

// checkSimpleName accepts what may stand in synchronous_standby_names and application_name without any
// escaping: lowercase letters, digits and underscores, at most maxIdentifierLen bytes (the server truncates
// a longer application_name, which would then never match).
func checkSimpleName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("postgres: empty %s", kind)
	}
	if len(name) > maxIdentifierLen {
		return fmt.Errorf("postgres: %s %q longer than %d bytes", kind, name, maxIdentifierLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("postgres: %s %q: only lowercase letters, digits and underscores are allowed", kind, name)
		}
	}
	return nil
}
