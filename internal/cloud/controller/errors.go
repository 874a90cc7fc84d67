package controller

import (
	"errors"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

type timeNow = time.Time

// OpError is an error with an API error code, so a failed operation reports something a user can act on.
type OpError struct {
	Code    string
	Field   string
	Message string
}

func (e *OpError) Error() string { return e.Message }

type stepErr struct {
	step string
	err  error
}

func (e *stepErr) Error() string { return fmt.Sprintf("step %s: %v", e.step, e.err) }
func (e *stepErr) Unwrap() error { return e.err }

func stepError(step string, err error) error { return &stepErr{step: step, err: err} }

// toModelError turns any error into the API's error document. Errors that carry a code keep it; anything
// else is an internal error whose message says which step failed.
func toModelError(err error) *model.Error {
	var oe *OpError
	if errors.As(err, &oe) {
		msg := oe.Message
		var se *stepErr
		if errors.As(err, &se) {
			msg = fmt.Sprintf("%s (step %s)", oe.Message, se.step)
		}
		return &model.Error{Code: oe.Code, Field: oe.Field, Message: msg}
	}
	return &model.Error{Code: model.CodeInternal, Message: err.Error()}
}
