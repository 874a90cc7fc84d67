package memcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// refusals counts the API's error answers by code, so a test can see that the provider met (and got past)
// a refusal such as ServerBusy, which it retries without a trace in Terraform's output.
type refusals struct {
	mu      sync.Mutex
	counts  map[string]int
	changed chan struct{} // closed and replaced on every new refusal
}

// record wraps the API handler.
func (r *refusals) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &errorRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, req)
		if rec.status < 400 {
			return
		}
		var body model.ErrorResponse
		if err := json.Unmarshal(rec.body.Bytes(), &body); err == nil {
			r.add(body.Error.Code)
		}
	})
}

func (r *refusals) add(code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.counts[code]++
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// count returns how often code was answered, and a channel closed at the next refusal.
func (r *refusals) count(code string) (int, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changed == nil {
		r.changed = make(chan struct{})
	}
	return r.counts[code], r.changed
}

// errorRecorder keeps the status and, for error answers, the body (small JSON documents).
type errorRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (e *errorRecorder) WriteHeader(status int) {
	e.status = status
	e.ResponseWriter.WriteHeader(status)
}

func (e *errorRecorder) Write(p []byte) (int, error) {
	if e.status == 0 {
		e.status = http.StatusOK
	}
	if e.status >= 400 {
		e.body.Write(p)
	}
	return e.ResponseWriter.Write(p)
}

// Refused returns how many requests the API has answered with the error code (model.CodeServerBusy, ...).
func (c *Cloud) Refused(code string) int {
	n, _ := c.refusals.count(code)
	return n
}

// WaitRefused waits until the API has answered n requests with the error code, or ctx ends.
func (c *Cloud) WaitRefused(ctx context.Context, code string, n int) error {
	for {
		got, changed := c.refusals.count(code)
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}
