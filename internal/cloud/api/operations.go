package api

import (
	"errors"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

func (a *API) getOperation(w http.ResponseWriter, r *http.Request) {
	var op store.Operation
	err := a.cfg.Store.View(func(tx *store.Tx) error {
		var err error
		op, err = tx.GetOperation(r.PathValue("id"))
		if errors.Is(err, store.ErrNotFound) {
			return missing("operation %s not found", r.PathValue("id"))
		}
		return err
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, op.Operation) // never the payload: it may hold a password verifier
}
