package api

import (
	"errors"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

func (a *API) getOperation(w http.ResponseWriter, r *http.Request) {
	readOne(a, w, func(tx *store.Tx) (model.Operation, error) {
		op, err := tx.GetOperation(r.PathValue("id"))
		if errors.Is(err, store.ErrNotFound) {
			return model.Operation{}, missing("operation %s not found", r.PathValue("id"))
		}
		return op.Operation, err // never the payload: it may hold a password verifier
	})
}

// listOperations answers GET /v1/operations[?status=Running]. A provider asks it before it restarts a local
// cloud from another build, to say which operations it would interrupt.
func (a *API) listOperations(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	readList(a, w, func(tx *store.Tx) ([]model.Operation, error) {
		ops, err := tx.ListOperations()
		if err != nil {
			return nil, err
		}
		out := make([]model.Operation, 0, len(ops))
		for _, op := range ops {
			if status == "" || op.Status == status {
				out = append(out, op.Operation) // never the payload, as in getOperation
			}
		}
		return out, nil
	})
}
