package client_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// serverScript answers GET /v1/flexibleServers/db1 with the next entry (nil = 404), repeating the last one.
func serverScript(states ...*model.Server) func(w http.ResponseWriter, r *http.Request, _ []byte) {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		mu.Lock()
		s := states[min(n, len(states)-1)]
		n++
		mu.Unlock()
		if s == nil {
			writeJSON(w, http.StatusNotFound, model.ErrorResponse{Error: model.Error{Code: model.CodeNotFound, Message: "gone"}})
			return
		}
		writeJSON(w, http.StatusOK, s)
	}
}

func srv(state string) *model.Server {
	return &model.Server{Name: "db1", State: state, ProvisioningState: "Succeeded"}
}

func isReady(s *model.Server) bool { return s.State == "Ready" }

// TestWaitServerStateNeedsTwoInARow: a single Ready between two Updating reads is not enough.
func TestWaitServerStateNeedsTwoInARow(t *testing.T) {
	fake, c := newFake(t, serverScript(srv("Updating"), srv("Ready"), srv("Updating"), srv("Ready"), srv("Ready"),
		srv("Updating")))
	got, err := c.WaitServerState(context.Background(), "db1", isReady)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "Ready" {
		t.Errorf("state = %q", got.State)
	}
	if n := len(fake.requests()); n != 5 {
		t.Errorf("read the server %d times, want 5", n)
	}
}

func TestWaitServerStateErrors(t *testing.T) {
	t.Run("not found", func(t *testing.T) {
		_, c := newFake(t, serverScript(srv("Updating"), nil))
		_, err := c.WaitServerState(context.Background(), "db1", isReady)
		checkKinds(t, err, "ErrNotFound")
	})
	t.Run("deadline names the last state", func(t *testing.T) {
		_, c := newFake(t, serverScript(srv("Updating")))
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
		defer cancel()
		_, err := c.WaitServerState(ctx, "db1", isReady)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if !contains(err.Error(), "db1") || !contains(err.Error(), "Updating") {
			t.Errorf("Error() = %q, want the server name and its last state", err.Error())
		}
	})
	t.Run("transient 503s are absorbed", func(t *testing.T) {
		var mu sync.Mutex
		calls := 0
		_, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			if n <= 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			writeJSON(w, http.StatusOK, srv("Ready"))
		})
		if _, err := c.WaitServerState(context.Background(), "db1", isReady); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("nil condition", func(t *testing.T) {
		_, c := newFake(t, serverScript(srv("Ready")))
		if _, err := c.WaitServerState(context.Background(), "db1", nil); err == nil {
			t.Error("want an error for a nil condition")
		}
	})
}

func TestWaitServerGone(t *testing.T) {
	tests := []struct {
		name      string
		script    []*model.Server
		wantReads int
	}{
		{name: "already gone", script: []*model.Server{nil}, wantReads: 1},
		{name: "goes after deleting", script: []*model.Server{srv("Dropping"), srv("Dropping"), nil}, wantReads: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFake(t, serverScript(tt.script...))
			if err := c.WaitServerGone(context.Background(), "db1"); err != nil {
				t.Fatal(err)
			}
			if n := len(fake.requests()); n != tt.wantReads {
				t.Errorf("read the server %d times, want %d", n, tt.wantReads)
			}
		})
	}
	t.Run("deadline", func(t *testing.T) {
		_, c := newFake(t, serverScript(srv("Dropping")))
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
		defer cancel()
		err := c.WaitServerGone(ctx, "db1")
		if !errors.Is(err, context.DeadlineExceeded) || !contains(err.Error(), "Dropping") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unauthorized is not waited out", func(t *testing.T) {
		fake, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			writeJSON(w, http.StatusUnauthorized, model.ErrorResponse{Error: model.Error{Code: model.CodeUnauthorized, Message: "bad token"}})
		})
		err := c.WaitServerGone(context.Background(), "db1")
		if !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("err = %v", err)
		}
		if n := len(fake.requests()); n != 1 {
			t.Errorf("read %d times, want 1", n)
		}
	})
}
