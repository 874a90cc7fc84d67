package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// scripted answers GET /v1/operations/{id} with the next operation of script, repeating the last one.
func scripted(script ...model.Operation) func(w http.ResponseWriter, r *http.Request, _ []byte) {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		mu.Lock()
		op := script[min(n, len(script)-1)]
		n++
		mu.Unlock()
		writeJSON(w, http.StatusOK, op)
	}
}

func op(status, step string) model.Operation {
	return model.Operation{ID: "op-1", Kind: "server.create", ResourceID: "/flexibleServers/db1", Status: status,
		Step: step, StartedAt: started}
}

func TestWaitSucceedsAndReportsSteps(t *testing.T) {
	fake, c := newFake(t, scripted(
		op(model.OperationRunning, "queued"),
		op(model.OperationRunning, "create-volume"),
		op(model.OperationRunning, "create-volume"),
		op(model.OperationRunning, "start-container"),
		op(model.OperationSucceeded, "start-container"),
	))
	var steps []string
	start := op(model.OperationRunning, "queued")
	got, err := c.Wait(context.Background(), &start, func(o model.Operation) { steps = append(steps, o.Step) })
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.OperationSucceeded || got.ID != "op-1" {
		t.Errorf("final op = %+v", got)
	}
	if want := []string{"queued", "create-volume", "start-container"}; strings.Join(steps, ",") != strings.Join(want, ",") {
		t.Errorf("progress steps = %v, want %v", steps, want)
	}
	reqs := fake.requests()
	if len(reqs) != 5 {
		t.Errorf("polled %d times, want 5", len(reqs))
	}
	for _, r := range reqs {
		if r.Method != http.MethodGet || r.Path != "/v1/operations/op-1" || r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("poll = %s %s auth %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
}

func TestWaitFinishedOperationDoesNotPoll(t *testing.T) {
	fake, c := newFake(t, scripted(op(model.OperationRunning, "x")))
	done := op(model.OperationSucceeded, "")
	if got, err := c.Wait(context.Background(), &done, nil); err != nil || got != &done {
		t.Errorf("Wait(succeeded) = %v, %v", got, err)
	}
	failed := op(model.OperationFailed, "")
	failed.Error = &model.Error{Code: model.CodeConflict, Message: "no"}
	if _, err := c.Wait(context.Background(), &failed, nil); !errors.Is(err, client.ErrConflict) {
		t.Errorf("Wait(failed) err = %v, want ErrConflict", err)
	}
	if n := len(fake.requests()); n != 0 {
		t.Errorf("polled %d times, want 0", n)
	}
}

func TestWaitFailedOperation(t *testing.T) {
	failed := op(model.OperationFailed, "validate")
	failed.Error = &model.Error{Code: model.CodeInvalidParameter, Message: "zone 3 is not available in westeurope",
		Field: "zone"}
	_, c := newFake(t, scripted(op(model.OperationRunning, "validate"), failed))
	start := op(model.OperationRunning, "queued")
	_, err := c.Wait(context.Background(), &start, nil)

	var opErr *client.OperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("err %T is not an *OperationError: %v", err, err)
	}
	if opErr.Operation.ID != "op-1" || opErr.Operation.Status != model.OperationFailed {
		t.Errorf("OperationError.Operation = %+v", opErr.Operation)
	}
	checkKinds(t, err, "ErrInvalid")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Field != "zone" || apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("APIError = %+v", apiErr)
	}
	if !contains(err.Error(), "zone 3 is not available") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestWaitContextDeadlineNamesOperation(t *testing.T) {
	_, c := newFake(t, scripted(op(model.OperationRunning, "wait-for-postgres")))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := op(model.OperationRunning, "queued")
	_, err := c.Wait(ctx, &start, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	for _, s := range []string{"op-1", "wait-for-postgres"} {
		if !contains(err.Error(), s) {
			t.Errorf("Error() = %q, want it to mention %q", err.Error(), s)
		}
	}
}

// failingTransport refuses the first n operation polls the way a restarting cloud does.
type failingTransport struct {
	mu   sync.Mutex
	left int
	next http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := strings.HasPrefix(r.URL.Path, "/v1/operations/") && f.left > 0
	if fail {
		f.left--
	}
	f.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return f.next.RoundTrip(r)
}

func TestWaitToleratesTransportErrors(t *testing.T) {
	tests := []struct {
		failures int
		wantErr  bool
	}{
		{failures: 3, wantErr: false},
		{failures: 5, wantErr: false},
		{failures: 6, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(strings.Repeat("x", tt.failures), func(t *testing.T) {
			transport := &failingTransport{left: tt.failures, next: http.DefaultTransport}
			fake, c := newFake(t, scripted(op(model.OperationSucceeded, "done")),
				client.WithHTTPClient(&http.Client{Transport: transport}))
			start := op(model.OperationRunning, "queued")
			got, err := c.Wait(context.Background(), &start, nil)
			if !tt.wantErr {
				if err != nil || got.Status != model.OperationSucceeded {
					t.Fatalf("Wait = %+v, %v; want success after %d refused polls", got, err, tt.failures)
				}
				if n := len(fake.requests()); n != 1 {
					t.Errorf("cloud saw %d polls, want 1", n)
				}
				return
			}
			checkKinds(t, err, "ErrUnavailable")
			if !contains(err.Error(), "op-1") {
				t.Errorf("Error() = %q, want the operation ID", err.Error())
			}
			if n := len(fake.requests()); n != 0 {
				t.Errorf("cloud saw %d polls, want 0", n)
			}
		})
	}
}

// TestWaitGivesUpOnClientErrors: a 404 or 401 on the operation does not heal by asking again.
func TestWaitGivesUpOnClientErrors(t *testing.T) {
	fake, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusNotFound, model.ErrorResponse{Error: model.Error{Code: model.CodeNotFound, Message: "no such operation"}})
	})
	start := op(model.OperationRunning, "queued")
	_, err := c.Wait(context.Background(), &start, nil)
	checkKinds(t, err, "ErrNotFound")
	if n := len(fake.requests()); n != 1 {
		t.Errorf("polled %d times, want 1", n)
	}
}

// TestWaitPollFloor: a cloud that says Retry-After: 0 still gets at most one poll per floor interval.
func TestWaitPollFloor(t *testing.T) {
	const floor = 40 * time.Millisecond
	const window = 420 * time.Millisecond
	fake, c := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Retry-After", "0")
		writeJSON(w, http.StatusOK, op(model.OperationRunning, "busy"))
	}, client.WithPollInterval(floor, floor))
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	start := op(model.OperationRunning, "queued")
	if _, err := c.Wait(ctx, &start, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	reqs := fake.requests()
	if maxPolls := int(window/floor) + 1; len(reqs) > maxPolls || len(reqs) < 3 {
		t.Errorf("%d polls in %v, want between 3 and %d", len(reqs), window, maxPolls)
	}
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < floor-5*time.Millisecond {
			t.Errorf("polls %d and %d only %v apart, floor is %v", i-1, i, gap, floor)
			break
		}
	}
}

// TestWaitBackoff: without hints the delay doubles from the floor up to the ceiling.
func TestWaitBackoff(t *testing.T) {
	const floor, ceiling = 10 * time.Millisecond, 40 * time.Millisecond
	fake, c := newFake(t, scripted(
		op(model.OperationRunning, "a"), op(model.OperationRunning, "a"), op(model.OperationRunning, "a"),
		op(model.OperationRunning, "a"), op(model.OperationSucceeded, "a"),
	), client.WithPollInterval(floor, ceiling))
	start := op(model.OperationRunning, "a")
	if _, err := c.Wait(context.Background(), &start, nil); err != nil {
		t.Fatal(err)
	}
	reqs := fake.requests()
	wantGaps := []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}
	if len(reqs) != len(wantGaps)+1 {
		t.Fatalf("%d polls, want %d", len(reqs), len(wantGaps)+1)
	}
	for i, want := range wantGaps {
		if gap := reqs[i+1].At.Sub(reqs[i].At); gap < want-5*time.Millisecond {
			t.Errorf("gap %d = %v, want at least %v", i, gap, want)
		}
	}
}

// TestWaitBackoffResetsOnProgress: a new step means the cloud is moving, so polling returns to the floor instead
// of drifting towards the ceiling (without the reset these seven polls would take over 600 ms).
func TestWaitBackoffResetsOnProgress(t *testing.T) {
	_, c := newFake(t, scripted(
		op(model.OperationRunning, "s1"), op(model.OperationRunning, "s2"), op(model.OperationRunning, "s3"),
		op(model.OperationRunning, "s4"), op(model.OperationRunning, "s5"), op(model.OperationRunning, "s6"),
		op(model.OperationSucceeded, "s7"),
	), client.WithPollInterval(10*time.Millisecond, time.Second))
	start := op(model.OperationRunning, "s0")
	began := time.Now()
	if _, err := c.Wait(context.Background(), &start, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 400*time.Millisecond {
		t.Errorf("7 polls with a step change each took %v, want the floor pace (~70 ms)", took)
	}
}

// TestWaitHonoursRetryAfterOfAccept: the Retry-After of the 202 delays the first poll.
func TestWaitHonoursRetryAfterOfAccept(t *testing.T) {
	var accepted time.Time
	fake, c := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == http.MethodPut {
			accepted = time.Now()
			w.Header().Set("Location", "/v1/operations/op-1")
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusAccepted, op(model.OperationRunning, "queued"))
			return
		}
		writeJSON(w, http.StatusOK, op(model.OperationSucceeded, "done"))
	})
	ctx := context.Background()
	accept, err := c.PutServer(ctx, "db1", model.Server{}, true)
	got, err := c.Do(ctx, accept, err, nil)
	if err != nil || got.Status != model.OperationSucceeded {
		t.Fatalf("Do = %+v, %v", got, err)
	}
	reqs := fake.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want PUT + 1 poll", len(reqs))
	}
	if gap := reqs[1].At.Sub(accepted); gap < 950*time.Millisecond {
		t.Errorf("first poll %v after the 202, want >= 1s (Retry-After: 1)", gap)
	}
}

func TestDoPassesErrorThrough(t *testing.T) {
	fake, c := newFake(t, scripted(op(model.OperationSucceeded, "")))
	sentinel := errors.New("put failed")
	if _, err := c.Do(context.Background(), nil, sentinel, nil); err != sentinel {
		t.Errorf("Do err = %v, want the given error", err)
	}
	if n := len(fake.requests()); n != 0 {
		t.Errorf("polled %d times, want 0", n)
	}
}
