package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// canary contains characters the JSON encoder escapes (<, &, >, "), so an echo of the encoded body is caught too.
const canary = `canary-Pw9!<&>"q`

// TestPasswordNeverInErrors: whatever a broken cloud echoes back, the error of PutServer never carries the
// password it sent.
func TestPasswordNeverInErrors(t *testing.T) {
	tests := []struct {
		name string
		echo func(w http.ResponseWriter, body []byte)
	}{
		{
			name: "raw body echoed as text",
			echo: func(w http.ResponseWriter, body []byte) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write(body)
			},
		},
		{
			name: "raw body inside the error message",
			echo: func(w http.ResponseWriter, body []byte) {
				writeJSON(w, http.StatusInternalServerError, model.ErrorResponse{Error: model.Error{
					Code: model.CodeInternal, Message: "cannot handle " + string(body)}})
			},
		},
		{
			name: "decoded password in message, field and details",
			echo: func(w http.ResponseWriter, _ []byte) {
				writeJSON(w, http.StatusBadRequest, model.ErrorResponse{Error: model.Error{
					Code: model.CodeInvalidParameter, Message: "password " + canary + " is too weak",
					Field:   "administrator_password",
					Details: []model.FieldDetail{{Field: "administrator_password", Message: "got " + canary}}}})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, body []byte) { tt.echo(w, body) })
			_, err := c.PutServer(context.Background(), "db1", model.Server{AdministratorLogin: "admin1",
				AdministratorPassword: canary}, true)
			if err == nil {
				t.Fatal("want an error")
			}
			// The canary really went over the wire, so its absence below means something.
			if !contains(string(fake.requests()[0].Body), "canary-Pw9") {
				t.Fatal("request body does not carry the password; the test proves nothing")
			}
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			for _, text := range []string{err.Error(), fmtAll(err), fmtAll(*apiErr)} {
				if contains(text, "canary-Pw9") {
					t.Errorf("error text leaks the password: %s", text)
				}
			}
		})
	}
}
