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
