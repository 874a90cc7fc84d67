package docker

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/docker/docker/api/types/events"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

func TestEventOf(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)
	ev := eventOf(events.Message{
		Type: events.ContainerEventType, Action: events.ActionDie, TimeNano: at.UnixNano(), Time: at.Unix(),
		Actor: events.Actor{ID: "abc", Attributes: map[string]string{
			"name": "flexpg-demo-0", "image": "flexpg/postgres:17", "exitCode": "137",
			runtime.LabelResource: "/flexibleServers/demo",
		}},
	})
	if ev.ID != "abc" || ev.Container != "flexpg-demo-0" || ev.Action != runtime.ActionDie || ev.ExitCode != 137 || !ev.Time.Equal(at) {
		t.Errorf("eventOf = %+v", ev)
	}
	if len(ev.Labels) != 1 || ev.Labels[runtime.LabelResource] != "/flexibleServers/demo" {
		t.Errorf("labels = %v, want only the container's labels", ev.Labels)
	}
	// An action without a constant arrives as it is; an event without a nanosecond time keeps its seconds.
	ev = eventOf(events.Message{Action: "exec_start: pg_isready", Time: at.Unix()})
	if ev.Action != "exec_start: pg_isready" || ev.ExitCode != 0 || !ev.Time.Equal(at.Truncate(time.Second)) {
		t.Errorf("eventOf(exec_start) = %+v", ev)
	}
}

func TestForwardEventsEnds(t *testing.T) {
	tests := []struct {
		name    string
		cancel  bool
		engine  error
		wantErr error // nil: none
	}{
		{"engine closed the stream", false, io.EOF, io.EOF},
		{"ctx ended", true, context.Canceled, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			msgs := make(chan events.Message)
			errs := make(chan error, 1)
			out := make(chan runtime.Event)
			result := make(chan error, 1)
			go func() { result <- forwardEvents(ctx, msgs, errs, out) }()
			msgs <- events.Message{Action: events.ActionStart, Actor: events.Actor{Attributes: map[string]string{"name": "c"}}}
			if ev := <-out; ev.Container != "c" || ev.Action != runtime.ActionStart {
				t.Errorf("forwarded %+v", ev)
			}
			if tc.cancel {
				cancel()
			}
			errs <- tc.engine
			err := <-result
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("forwardEvents = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
