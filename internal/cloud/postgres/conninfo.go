package postgres

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// replicationPeerConnectTimeout bounds one connection attempt of a WAL receiver, pg_basebackup or pg_rewind
// (libpq's connect_timeout, in seconds): a dead primary should show as an error soon, not after the kernel's
// TCP timeout, so the caller (or the WAL receiver's own retry) can act.
const replicationPeerConnectTimeout = 5

// Peer is a server another instance connects to as ReplicationRole.
type Peer struct {
	// Host is the name the server's certificate carries (the server's FQDN); libpq verifies it (verify-full).
	Host string
	// Addr, when valid, is the address to connect to (libpq's hostaddr), so no name lookup is needed and the
	// certificate is still checked against Host.
	Addr netip.Addr
	Port int
}

func (p Peer) validate() error {
	if err := checkConninfoValue(p.Host); err != nil {
		return fmt.Errorf("host: %w", err)
	}
	if p.Addr.IsValid() && p.Addr.Is4In6() {
		return fmt.Errorf("address %s: use the IPv4 form", p.Addr)
	}
	if p.Port <= 0 || p.Port > 65535 {
		return fmt.Errorf("port %d out of range", p.Port)
	}
	return nil
}

// replicationConninfo is a libpq keyword/value connection string for ReplicationRole to p: TLS with full
// verification against the cloud CA and the role's client certificate, at the fixed paths of ConfigDir.
// dbname is empty for a physical replication connection (the WAL receiver and pg_basebackup add
// replication=true themselves), ManagementDatabase for pg_rewind.
func replicationConninfo(p Peer, applicationName, dbname string) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("postgres: replication peer: %w", err)
	}
	kv := [][2]string{{"host", p.Host}}
	if p.Addr.IsValid() {
		kv = append(kv, [2]string{"hostaddr", p.Addr.String()})
	}
	kv = append(kv, [2]string{"port", strconv.Itoa(p.Port)}, [2]string{"user", ReplicationRole})
	if dbname != "" {
		kv = append(kv, [2]string{"dbname", dbname})
	}
	if applicationName != "" {
		kv = append(kv, [2]string{"application_name", applicationName})
	}
	kv = append(kv,
		[2]string{"sslmode", "verify-full"},
		[2]string{"sslrootcert", CAFile},
		[2]string{"sslcert", ReplicationCertFile},
		[2]string{"sslkey", ReplicationKeyFile},
		[2]string{"connect_timeout", strconv.Itoa(replicationPeerConnectTimeout)})
	parts := make([]string, len(kv))
	for i, f := range kv {
		parts[i] = f[0] + "=" + dsnQuote(f[1])
	}
	return strings.Join(parts, " "), nil
}

// checkConninfoValue refuses what has no business in a host name and could break the files and argv the
// connection string ends up in: an empty value, invalid UTF-8 and control characters (checkValue).
func checkConninfoValue(v string) error {
	if v == "" {
		return errors.New("empty")
	}
	return checkValue(v)
}
