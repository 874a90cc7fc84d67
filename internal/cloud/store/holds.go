package store

import (
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// Holds: a resource that is not a server (a VNet, subnet, zone or link) is held by the operation changing it,
// as a server is by its ActiveOp, so a second change waits for the first instead of racing it. The record is
// keyed by resource ID and holds the operation's ID.
const bucketHolds = "holds"

func init() { allBuckets = append(allBuckets, bucketHolds) }

// HeldError says that a resource is held by another operation.
type HeldError struct {
	ResourceID string
	OpID       string
	Kind       string
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is busy with operation %s (%s)", e.ResourceID, e.OpID, e.Kind)
}

// HoldResource records op as the operation holding resourceID and stores op, both in this transaction. A
// resource held by another operation that is still running is a *HeldError.
func (t *Tx) HoldResource(resourceID string, op Operation) error {
	if err := t.CheckNotHeld(resourceID); err != nil {
		return err
	}
	if err := t.tx.Bucket([]byte(bucketHolds)).Put([]byte(resourceID), []byte(op.ID)); err != nil {
		return err
	}
	return t.PutOperation(op)
}

// CheckNotHeld returns a *HeldError when a running operation holds resourceID.
func (t *Tx) CheckNotHeld(resourceID string) error {
	id := t.tx.Bucket([]byte(bucketHolds)).Get([]byte(resourceID))
	if id == nil {
		return nil
	}
	holder, err := t.GetOperation(string(id))
	if err != nil || holder.Status != model.OperationRunning {
		return nil // a stale hold (its operation ended or is gone) holds nothing
	}
	return &HeldError{ResourceID: resourceID, OpID: holder.ID, Kind: holder.Kind}
}

// ReleaseResource drops the hold of op on resourceID, if op is the holder.
func (t *Tx) ReleaseResource(resourceID, opID string) error {
	b := t.tx.Bucket([]byte(bucketHolds))
	if string(b.Get([]byte(resourceID))) != opID {
		return nil
	}
	return b.Delete([]byte(resourceID))
}
