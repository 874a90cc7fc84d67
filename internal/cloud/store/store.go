// Package store is the cloud's durable state: desired resources, what the controller observed and created,
// operations with the step they reached, and port reservations. It is a bbolt file, so every change is a
// transaction and the state survives the cloud being killed at any moment.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotFound is returned (wrapped) when a record does not exist.
var ErrNotFound = errors.New("store: record not found")

// Bucket names. Each holds JSON values keyed by resource ID (or operation ID).
const (
	bucketMeta       = "meta"
	bucketServers    = "servers"
	bucketFirewall   = "firewallRules"
	bucketConfig     = "configurations"
	bucketDatabases  = "databases"
	bucketOperations = "operations"
	bucketPorts      = "ports"
)

var allBuckets = []string{bucketMeta, bucketServers, bucketFirewall, bucketConfig, bucketDatabases, bucketOperations, bucketPorts}

// Store wraps the bbolt database.
type Store struct {
	db *bolt.DB
}

// Open opens (creating if needed) the state file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("initialise state file: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Tx is one transaction. Update transactions may write; View transactions may only read.
type Tx struct {
	tx *bolt.Tx
}

// Update runs fn in a read-write transaction; an error from fn rolls everything back.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

func (t *Tx) put(bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", bucket, key, err)
	}
	return t.tx.Bucket([]byte(bucket)).Put([]byte(key), data)
}

func (t *Tx) get(bucket, key string, v any) error {
	data := t.tx.Bucket([]byte(bucket)).Get([]byte(key))
	if data == nil {
		return fmt.Errorf("%s %s: %w", bucket, key, ErrNotFound)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s %s: %w", bucket, key, err)
	}
	return nil
}

func (t *Tx) del(bucket, key string) error {
	return t.tx.Bucket([]byte(bucket)).Delete([]byte(key))
}

// each calls fn for every value in bucket whose key starts with prefix, in key order.
func each[T any](t *Tx, bucket, prefix string, fn func(T) error) error {
	c := t.tx.Bucket([]byte(bucket)).Cursor()
	for k, v := c.Seek([]byte(prefix)); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		var item T
		if err := json.Unmarshal(v, &item); err != nil {
			return fmt.Errorf("decode %s %s: %w", bucket, k, err)
		}
		if err := fn(item); err != nil {
			return err
		}
	}
	return nil
}

func list[T any](t *Tx, bucket, prefix string) ([]T, error) {
	var out []T
	err := each(t, bucket, prefix, func(item T) error {
		out = append(out, item)
		return nil
	})
	return out, err
}

func hasPrefix(k []byte, prefix string) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == prefix
}
