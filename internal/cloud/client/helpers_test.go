package client_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
)

const testToken = "tok-123"

// recorded is one request the fake cloud received.
type recorded struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	At       time.Time
}

// fakeCloud is an httptest server that records every request and answers through handle.
type fakeCloud struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, body []byte)
}

// newFake starts a fake cloud and a client for it that polls fast unless opts say otherwise.
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte), opts ...client.Option) (*fakeCloud, *client.Client) {
	t.Helper()
	f := &fakeCloud{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body, At: time.Now()})
		f.mu.Unlock()
		f.handle(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	all := append([]client.Option{client.WithPollInterval(time.Millisecond, 5*time.Millisecond)}, opts...)
	return f, client.New(f.srv.URL, testToken, all...)
}

func (f *fakeCloud) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fmtAll prints v every way a careless caller might.
func fmtAll(v any) string { return fmt.Sprintf("%v|%+v|%#v|%s", v, v, v, v) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
