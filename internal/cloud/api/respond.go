package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// maxBody bounds request bodies; no document of this API comes near it.
const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e model.Error) {
	writeJSON(w, status, model.ErrorResponse{Error: e})
}

// accepted answers 202 with the operation to poll. No Retry-After: most operations finish within a second
// or two, and the client's own backoff (from 200 ms) polls sooner than a whole-second hint would allow.
func accepted(w http.ResponseWriter, op store.Operation) {
	w.Header().Set("Location", model.APIVersion+"/operations/"+op.ID)
	writeJSON(w, http.StatusAccepted, op.Operation)
}

// decode reads a JSON body into v, answering 400 on malformed input.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field = te.Field
		}
		writeError(w, http.StatusBadRequest, model.Error{Code: model.CodeInvalidParameter, Field: field,
			Message: fmt.Sprintf("the request body is not a valid JSON document of this resource: %v", err)})
		return false
	}
	return true
}

// invalid answers 400 for rule violations, naming every field.
func invalid(w http.ResponseWriter, errs spec.FieldErrors) {
	e := model.Error{Code: model.CodeInvalidParameter, Message: errs.Error()}
	for _, fe := range errs {
		e.Details = append(e.Details, model.FieldDetail{Field: fe.Field, Rule: string(fe.Rule), Message: fe.Message})
	}
	if len(errs) > 0 {
		e.Field = errs[0].Field
		if len(errs) == 1 {
			e.Message = errs[0].Message
		}
	}
	writeError(w, http.StatusBadRequest, e)
}

func invalidField(w http.ResponseWriter, field, format string, args ...any) {
	writeError(w, http.StatusBadRequest, model.Error{Code: model.CodeInvalidParameter, Field: field, Message: fmt.Sprintf(format, args...)})
}

func notFound(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusNotFound, model.Error{Code: model.CodeNotFound, Message: fmt.Sprintf(format, args...)})
}

// apiErr is an error a transaction returns to choose the response.
type apiErr struct {
	status int
	body   model.Error
}

func (e *apiErr) Error() string { return e.body.Message }

func busy(server, op, kind string) error {
	return &apiErr{http.StatusConflict, model.Error{Code: model.CodeServerBusy,
		Message: fmt.Sprintf("server %s is busy with operation %s (%s); retry when it has finished", server, op, kind)}}
}

// partnerBusy is the refusal of a management operation on a server another server's operation holds: a
// primary is Updating while its read replica is created, deleted or promoted (seed 004). Its data plane is
// not affected, and the message says so.
func partnerBusy(server, other, op, kind string) error {
	return &apiErr{http.StatusConflict, model.Error{Code: model.CodeServerBusy,
		Message: fmt.Sprintf("server %s is Updating while operation %s (%s) on read replica %s runs: management operations on it "+
			"wait until that has finished (its databases keep serving reads and writes); retry then", server, op, kind, other)}}
}

func conflictf(format string, args ...any) error {
	return &apiErr{http.StatusConflict, model.Error{Code: model.CodeConflict, Message: fmt.Sprintf(format, args...)}}
}

func missing(format string, args ...any) error {
	return &apiErr{http.StatusNotFound, model.Error{Code: model.CodeNotFound, Message: fmt.Sprintf(format, args...)}}
}

// fail writes the response for an error out of a transaction.
func (a *API) fail(w http.ResponseWriter, err error) {
	var ae *apiErr
	if errors.As(err, &ae) {
		writeError(w, ae.status, ae.body)
		return
	}
	var fe spec.FieldErrors
	if errors.As(err, &fe) {
		invalid(w, fe)
		return
	}
	var oe *controller.OpError
	if errors.As(err, &oe) {
		status := map[string]int{model.CodeInvalidParameter: http.StatusBadRequest, model.CodeNotFound: http.StatusNotFound,
			model.CodeConflict: http.StatusConflict}[oe.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeError(w, status, model.Error{Code: oe.Code, Field: oe.Field, Message: oe.Message})
		return
	}
	var held *store.HeldError
	if errors.As(err, &held) {
		writeError(w, http.StatusConflict, model.Error{Code: model.CodeResourceBusy,
			Message: held.Error() + "; retry when it has finished"})
		return
	}
	a.log.Error("request failed", "err", err)
	writeError(w, http.StatusInternalServerError, model.Error{Code: model.CodeInternal, Message: err.Error()})
}

// serverFor loads the server of a child route, or answers 404.
func serverFor(tx *store.Tx, name string) (store.Server, error) {
	s, err := tx.GetServer(name)
	if errors.Is(err, store.ErrNotFound) {
		return s, missing("server %s not found", name)
	}
	return s, err
}

func jsonBody(v any) ([]byte, error) { return json.Marshal(v) }
