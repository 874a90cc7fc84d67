package api

import (
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// readOne answers a GET with the document fn builds in a read transaction (or the error it returns).
func readOne[T any](a *API, w http.ResponseWriter, fn func(tx *store.Tx) (T, error)) {
	var out T
	err := a.cfg.Store.View(func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// readList answers a list GET: {"value": [...]}, never null.
func readList[T any](a *API, w http.ResponseWriter, fn func(tx *store.Tx) ([]T, error)) {
	readOne(a, w, func(tx *store.Tx) (map[string][]T, error) {
		items, err := fn(tx)
		return map[string][]T{"value": nonNil(items)}, err
	})
}

// each maps records to documents.
func each[R, T any](records []R, err error, present func(R) T) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(records))
	for _, r := range records {
		out = append(out, present(r))
	}
	return out, nil
}
