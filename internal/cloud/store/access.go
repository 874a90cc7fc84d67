package store

import (
	"errors"
	"strconv"
)

// Keys. Child records are keyed "<server>/<name>" so a prefix scan lists one server's children.
func childKey(server, name string) string { return server + "/" + name }
func childPrefix(server string) string    { return server + "/" }

// Servers.

func (t *Tx) GetServer(name string) (Server, error) {
	var s Server
	return s, t.get(bucketServers, name, &s)
}
func (t *Tx) PutServer(s Server) error       { return t.put(bucketServers, s.Spec.Name, s) }
func (t *Tx) DeleteServer(name string) error { return t.del(bucketServers, name) }
func (t *Tx) ListServers() ([]Server, error) { return list[Server](t, bucketServers, "") }

// Firewall rules.

func (t *Tx) GetFirewallRule(server, name string) (FirewallRule, error) {
	var r FirewallRule
	return r, t.get(bucketFirewall, childKey(server, name), &r)
}
func (t *Tx) PutFirewallRule(r FirewallRule) error {
	return t.put(bucketFirewall, childKey(r.Server, r.Rule.Name), r)
}
func (t *Tx) DeleteFirewallRule(server, name string) error {
	return t.del(bucketFirewall, childKey(server, name))
}
func (t *Tx) ListFirewallRules(server string) ([]FirewallRule, error) {
	return list[FirewallRule](t, bucketFirewall, childPrefix(server))
}

// Configurations.

func (t *Tx) GetConfiguration(server, name string) (Configuration, error) {
	var c Configuration
	return c, t.get(bucketConfig, childKey(server, name), &c)
}
func (t *Tx) PutConfiguration(c Configuration) error {
	return t.put(bucketConfig, childKey(c.Server, c.Name), c)
}
func (t *Tx) DeleteConfiguration(server, name string) error {
	return t.del(bucketConfig, childKey(server, name))
}
func (t *Tx) ListConfigurations(server string) ([]Configuration, error) {
	return list[Configuration](t, bucketConfig, childPrefix(server))
}

// Databases.

func (t *Tx) GetDatabase(server, name string) (Database, error) {
	var d Database
	return d, t.get(bucketDatabases, childKey(server, name), &d)
}
func (t *Tx) PutDatabase(d Database) error {
	return t.put(bucketDatabases, childKey(d.Server, d.Database.Name), d)
}
func (t *Tx) DeleteDatabase(server, name string) error {
	return t.del(bucketDatabases, childKey(server, name))
}
func (t *Tx) ListDatabases(server string) ([]Database, error) {
	return list[Database](t, bucketDatabases, childPrefix(server))
}

// DeleteServerChildren removes every child record of a server (rules, overrides, databases).
func (t *Tx) DeleteServerChildren(server string) error {
	for _, b := range []string{bucketFirewall, bucketConfig, bucketDatabases} {
		var keys []string
		c := t.tx.Bucket([]byte(b)).Cursor()
		p := childPrefix(server)
		for k, _ := c.Seek([]byte(p)); k != nil && hasPrefix(k, p); k, _ = c.Next() {
			keys = append(keys, string(k))
		}
		for _, k := range keys {
			if err := t.del(b, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// Operations.

func (t *Tx) GetOperation(id string) (Operation, error) {
	var o Operation
	return o, t.get(bucketOperations, id, &o)
}
func (t *Tx) PutOperation(o Operation) error { return t.put(bucketOperations, o.ID, o) }
func (t *Tx) ListOperations() ([]Operation, error) {
	return list[Operation](t, bucketOperations, "")
}

// Meta values (cloud ID, token, ...).

func (t *Tx) GetMeta(key string) (string, error) {
	v := t.tx.Bucket([]byte(bucketMeta)).Get([]byte(key))
	if v == nil {
		return "", ErrNotFound
	}
	return string(v), nil
}
func (t *Tx) PutMeta(key, value string) error {
	return t.tx.Bucket([]byte(bucketMeta)).Put([]byte(key), []byte(value))
}

// Host port reservations: port -> owner (a resource ID). A port stays with its server for the server's life,
// so connection strings on the machine stay valid across restarts of the cloud and of the server.

func (t *Tx) PortOwner(port int) (string, error) {
	v := t.tx.Bucket([]byte(bucketPorts)).Get([]byte(strconv.Itoa(port)))
	if v == nil {
		return "", ErrNotFound
	}
	return string(v), nil
}
func (t *Tx) ReservePort(port int, owner string) error {
	if o, err := t.PortOwner(port); err == nil && o != owner {
		return errors.New("port " + strconv.Itoa(port) + " is reserved by " + o)
	}
	return t.tx.Bucket([]byte(bucketPorts)).Put([]byte(strconv.Itoa(port)), []byte(owner))
}
func (t *Tx) ReleasePorts(owner string) error {
	var keys [][]byte
	c := t.tx.Bucket([]byte(bucketPorts)).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if string(v) == owner {
			keys = append(keys, append([]byte(nil), k...))
		}
	}
	for _, k := range keys {
		if err := t.tx.Bucket([]byte(bucketPorts)).Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// HoldServer records op as the operation that holds the server s (other server-level requests get 409 until
// it ends), shows phase meanwhile, and stores both in this transaction.
func (t *Tx) HoldServer(s Server, op Operation, phase string) error {
	s.ActiveOp, s.Phase = op.ID, phase
	if err := t.PutServer(s); err != nil {
		return err
	}
	return t.PutOperation(op)
}
