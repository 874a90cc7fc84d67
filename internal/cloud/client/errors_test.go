package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

var sentinels = map[string]error{
	"ErrNotFound":      client.ErrNotFound,
	"ErrConflict":      client.ErrConflict,
	"ErrBusy":          client.ErrBusy,
	"ErrAlreadyExists": client.ErrAlreadyExists,
	"ErrUnauthorized":  client.ErrUnauthorized,
	"ErrInvalid":       client.ErrInvalid,
	"ErrUnavailable":   client.ErrUnavailable,
}

// checkKinds asserts errors.Is(err, s) for exactly the sentinels named in want.
func checkKinds(t *testing.T, err error, want ...string) {
	t.Helper()
	set := map[string]bool{}
	for _, w := range want {
		set[w] = true
	}
	for name, s := range sentinels {
		if got := errors.Is(err, s); got != set[name] {
			t.Errorf("errors.Is(err, %s) = %v, want %v (err: %v)", name, got, set[name], err)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      any    // JSON body; nil sends rawBody
		rawBody   string // non-JSON body
		kinds     []string
		wantCode  string
		wantField string
		wantText  []string // substrings of Error()
	}{
		{
			name: "400 InvalidParameter with field", status: 400,
			body: model.ErrorResponse{Error: model.Error{Code: model.CodeInvalidParameter,
				Message: "storage_mb must be one of 32768, 65536, ...", Field: "storage_mb",
				Details: []model.FieldDetail{{Field: "storage_mb", Message: "not a valid size"}}}},
			kinds: []string{"ErrInvalid"}, wantCode: model.CodeInvalidParameter, wantField: "storage_mb",
			wantText: []string{"GET", "/v1/flexibleServers/db1", "400", "InvalidParameter",
				"storage_mb must be one of", "field storage_mb", "not a valid size"},
		},
		{
			name: "401 Unauthorized", status: 401,
			body:  model.ErrorResponse{Error: model.Error{Code: model.CodeUnauthorized, Message: "bad token"}},
			kinds: []string{"ErrUnauthorized"}, wantCode: model.CodeUnauthorized, wantText: []string{"401", "bad token"},
		},
		{
			name: "404 NotFound", status: 404,
			body:  model.ErrorResponse{Error: model.Error{Code: model.CodeNotFound, Message: "server db1 not found"}},
			kinds: []string{"ErrNotFound"}, wantCode: model.CodeNotFound, wantText: []string{"404", "NotFound"},
		},
		{
			name: "404 without a body", status: 404, rawBody: "",
			kinds: []string{"ErrNotFound"}, wantText: []string{"404", "Not Found"},
		},
		{
			name: "409 ServerBusy", status: 409,
			body:  model.ErrorResponse{Error: model.Error{Code: model.CodeServerBusy, Message: "operation op-1 is running"}},
			kinds: []string{"ErrBusy", "ErrConflict"}, wantCode: model.CodeServerBusy,
		},
		{
			name: "409 AlreadyExists", status: 409,
			body:  model.ErrorResponse{Error: model.Error{Code: model.CodeAlreadyExists, Message: "exists"}},
			kinds: []string{"ErrAlreadyExists", "ErrConflict"}, wantCode: model.CodeAlreadyExists,
		},
		{
			name: "409 Conflict", status: 409,
			body:  model.ErrorResponse{Error: model.Error{Code: model.CodeConflict, Message: "server is stopped"}},
			kinds: []string{"ErrConflict"}, wantCode: model.CodeConflict,
		},
		{
			name: "500 InternalError", status: 500,
			body:  model.ErrorResponse{Error: model.Error{Code: model.CodeInternal, Message: "boom"}},
			kinds: nil, wantCode: model.CodeInternal, wantText: []string{"500", "InternalError", "boom"},
		},
		{
			name: "503 from a proxy", status: 503, rawBody: "<html>down</html>",
			kinds: []string{"ErrUnavailable"}, wantText: []string{"503", "Service Unavailable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				if tt.body == nil {
					w.WriteHeader(tt.status)
					_, _ = w.Write([]byte(tt.rawBody))
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			_, err := c.GetServer(context.Background(), "db1")
			if err == nil {
				t.Fatal("want an error")
			}
			checkKinds(t, err, tt.kinds...)
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Code != tt.wantCode || apiErr.Field != tt.wantField {
				t.Errorf("APIError = %+v, want status %d code %q field %q", apiErr, tt.status, tt.wantCode, tt.wantField)
			}
			if apiErr.Method != http.MethodGet || apiErr.Path != "/v1/flexibleServers/db1" {
				t.Errorf("APIError request = %s %s", apiErr.Method, apiErr.Path)
			}
			for _, s := range tt.wantText {
				if !contains(err.Error(), s) {
					t.Errorf("Error() = %q, want it to mention %q", err.Error(), s)
				}
			}
			if contains(err.Error(), "<html>") {
				t.Errorf("Error() quotes a non-JSON body: %q", err.Error())
			}
		})
	}
}

// TestConnectionRefused: nothing listens at the endpoint, so the call is ErrUnavailable, classified from the
// syscall error rather than its text.
func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	c := client.New("http://"+addr, testToken)
	calls := map[string]func() error{
		"Health":    func() error { _, err := c.Health(context.Background()); return err },
		"GetServer": func() error { _, err := c.GetServer(context.Background(), "db1"); return err },
		"PutServer": func() error {
			_, err := c.PutServer(context.Background(), "db1", model.Server{}, true)
			return err
		},
	}
	for name, call := range calls {
		err := call()
		checkKinds(t, err, "ErrUnavailable")
		var te *client.TransportError
		if !errors.As(err, &te) {
			t.Errorf("%s: error %T is not a *TransportError", name, err)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: error does not wrap ECONNREFUSED: %v", name, err)
		}
	}
}

// TestCanceledContextIsNotUnavailable: the caller giving up is not the cloud being down.
func TestCanceledContextIsNotUnavailable(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusOK, model.Server{})
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetServer(ctx, "db1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	checkKinds(t, err)
}

func TestSentinelHierarchy(t *testing.T) {
	tests := []struct {
		err, target error
		want        bool
	}{
		{client.ErrBusy, client.ErrConflict, true},
		{client.ErrAlreadyExists, client.ErrConflict, true},
		{client.ErrConflict, client.ErrBusy, false},
		{client.ErrBusy, client.ErrAlreadyExists, false},
		{client.ErrNotFound, client.ErrConflict, false},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, tt.target); got != tt.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", tt.err, tt.target, got, tt.want)
		}
	}
}

// TestOperationErrorKinds: a failed operation's code maps onto the same sentinels as a synchronous answer.
func TestOperationErrorKinds(t *testing.T) {
	tests := []struct {
		code  string
		kinds []string
	}{
		{model.CodeInvalidParameter, []string{"ErrInvalid"}},
		{model.CodeNotFound, []string{"ErrNotFound"}},
		{model.CodeServerBusy, []string{"ErrBusy", "ErrConflict"}},
		{model.CodeAlreadyExists, []string{"ErrAlreadyExists", "ErrConflict"}},
		{model.CodeConflict, []string{"ErrConflict"}},
		{model.CodeInternal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := &client.OperationError{Operation: model.Operation{ID: "op-9", Kind: "server.create",
				Status: model.OperationFailed, Step: "start-container",
				Error: &model.Error{Code: tt.code, Message: "it broke", Field: "version"}}}
			checkKinds(t, err, tt.kinds...)
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tt.code || apiErr.Field != "version" {
				t.Errorf("errors.As APIError = %+v", apiErr)
			}
			for _, s := range []string{"op-9", "server.create", "start-container", tt.code, "it broke"} {
				if !contains(err.Error(), s) {
					t.Errorf("Error() = %q, want it to mention %q", err.Error(), s)
				}
			}
		})
	}
	bare := &client.OperationError{Operation: model.Operation{ID: "op-1", Status: model.OperationFailed}}
	if bare.Unwrap() == nil || bare.Error() == "" {
		t.Error("a failed operation without an error must still describe itself")
	}
}
