package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// sentinel is an error kind. A kind may refine another (ServerBusy is a conflict), so errors.Is(ErrBusy,
// ErrConflict) holds and callers can test either the precise or the broad kind.
type sentinel struct {
	msg    string
	parent error
}

func (s *sentinel) Error() string { return s.msg }

func (s *sentinel) Is(target error) bool { return s.parent != nil && errors.Is(s.parent, target) }

// Error kinds. Test with errors.Is; the client's errors (HTTP answers, failed operations, transport failures)
// match the kind that applies. A 500 InternalError matches none: it is a bug of the cloud, not a condition.
var (
	ErrNotFound      error = &sentinel{msg: "flexpg cloud: not found"}
	ErrConflict      error = &sentinel{msg: "flexpg cloud: conflict"}                            // any 409
	ErrBusy          error = &sentinel{msg: "flexpg cloud: busy", parent: ErrConflict}           // 409 ServerBusy or ResourceBusy
	ErrAlreadyExists error = &sentinel{msg: "flexpg cloud: already exists", parent: ErrConflict} // 409 AlreadyExists
	ErrUnauthorized  error = &sentinel{msg: "flexpg cloud: unauthorized"}
	ErrInvalid       error = &sentinel{msg: "flexpg cloud: invalid parameter"} // 400
	ErrUnavailable   error = &sentinel{msg: "flexpg cloud: unavailable"}       // transport failure, 502/503/504
)

// APIError is an error answered by the cloud (a 4xx/5xx response), or the error of a failed operation (then
// Method and Path are empty and StatusCode is derived from Code).
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	Field      string
	Details    []model.FieldDetail
	Method     string
	Path       string
}

// Error names the request, the status, the code and the cloud's message. It never includes the request body.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("flexpg cloud: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	b.WriteString(describe(e.Code, e.Message, e.Field, e.Details))
	return b.String()
}

// Is maps the error onto the sentinels, so callers never compare codes or statuses themselves.
func (e *APIError) Is(target error) bool {
	kind := e.kind()
	return kind != nil && errors.Is(kind, target)
}

// kind decides by Code first (it is the precise word of the cloud), then by status for bodies without one.
func (e *APIError) kind() error {
	switch e.Code {
	case model.CodeAlreadyExists:
		return ErrAlreadyExists
	case model.CodeServerBusy, model.CodeResourceBusy:
		return ErrBusy
	case model.CodeConflict:
		return ErrConflict
	case model.CodeNotFound:
		return ErrNotFound
	case model.CodeUnauthorized:
		return ErrUnauthorized
	case model.CodeInvalidParameter:
		return ErrInvalid
	}
	switch e.StatusCode {
	case http.StatusBadRequest:
		return ErrInvalid
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return ErrUnavailable
	}
	return nil
}

// describe renders "Code: message (field f; a: why; b: why)".
func describe(code, message, field string, details []model.FieldDetail) string {
	var b strings.Builder
	if code != "" {
		b.WriteString(code)
		b.WriteString(": ")
	}
	b.WriteString(message)
	var extra []string
	if field != "" {
		extra = append(extra, "field "+field)
	}
	for _, d := range details {
		extra = append(extra, d.Field+": "+d.Message)
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(extra, "; "))
	}
	return b.String()
}

// OperationError is returned by Wait when an operation ends Failed. It unwraps to an *APIError built from the
// operation's error, so errors.Is(err, ErrInvalid) and errors.As(err, &apiErr) work as for a synchronous failure.
type OperationError struct {
	Operation model.Operation
}

func (e *OperationError) Error() string {
	op := e.Operation
	var b strings.Builder
	fmt.Fprintf(&b, "flexpg cloud: operation %s", op.ID)
	if op.Kind != "" || op.ResourceID != "" {
		fmt.Fprintf(&b, " (%s %s)", op.Kind, op.ResourceID)
	}
	b.WriteString(" failed")
	if op.Step != "" {
		fmt.Fprintf(&b, " at step %q", op.Step)
	}
	cause := e.apiError()
	fmt.Fprintf(&b, ": %s", describe(cause.Code, cause.Message, cause.Field, cause.Details))
	return b.String()
}

// Unwrap returns the operation's error as an *APIError.
func (e *OperationError) Unwrap() error { return e.apiError() }

func (e *OperationError) apiError() *APIError {
	oe := e.Operation.Error
	if oe == nil {
		return &APIError{StatusCode: http.StatusInternalServerError, Code: model.CodeInternal,
			Message: "the operation failed without saying why"}
	}
	return &APIError{
		StatusCode: statusForCode(oe.Code),
		Code:       oe.Code,
		Message:    oe.Message,
		Field:      oe.Field,
		Details:    oe.Details,
	}
}

// statusForCode is the status the cloud answers synchronously for an error code.
func statusForCode(code string) int {
	switch code {
	case model.CodeInvalidParameter:
		return http.StatusBadRequest
	case model.CodeUnauthorized:
		return http.StatusUnauthorized
	case model.CodeNotFound:
		return http.StatusNotFound
	case model.CodeAlreadyExists, model.CodeServerBusy, model.CodeResourceBusy, model.CodeConflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// TransportError is a request that got no answer from the cloud: connection refused or reset, a timeout, a
// connection closed mid-response. It matches ErrUnavailable.
type TransportError struct {
	Method string
	URL    string
	Err    error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("flexpg cloud: %s %s: cloud unavailable: %v", e.Method, e.URL, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

func (e *TransportError) Is(target error) bool { return target == ErrUnavailable }

// transportError classifies a failure of http.Client.Do or of reading a response body. A done context wins: the
// caller gave up, which is not the cloud being unavailable.
func transportError(ctx context.Context, method, rawURL string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("flexpg cloud: %s %s: %w", method, rawURL, ctxErr)
	}
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	if isTransportFailure(inner) {
		return &TransportError{Method: method, URL: rawURL, Err: inner}
	}
	return fmt.Errorf("flexpg cloud: %s %s: %w", method, rawURL, inner)
}

func isTransportFailure(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE} {
		if errors.Is(err, errno) {
			return true
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// retryable says whether a poller may try again: the cloud did not answer, or answered with a server-side error
// (it may be restarting; operations are durable, so asking again is safe).
func retryable(err error) bool {
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= http.StatusInternalServerError
}
