package docker

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/events"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// eventBuffer is how many events wait for a slow reader before the engine's stream is left unread (the
// engine buffers further on its side).
const eventBuffer = 64

// engineAttributes are the keys the engine adds to a container event's attributes beside the container's
// labels. They are left out of Event.Labels; the cloud's own labels all start with io.flexpg.
var engineAttributes = map[string]bool{
	"name": true, "image": true, "exitCode": true, "signal": true, "execID": true, "oldName": true,
	"execDuration": true,
}

// Events streams the container events of objects whose labels include all of match (see runtime.Runtime).
//
// The engine subscribes a client only after it has answered the request, so an event in between would be
// lost: the request asks for events since the moment of the call as well, which the engine replays from
// its recent-events log before the live ones. The engine runs on this host, so both read the same clock.
func (r *Runtime) Events(ctx context.Context, match runtime.Labels) (<-chan runtime.Event, <-chan error) {
	args := labelFilter(match)
	args.Add("type", string(events.ContainerEventType))
	since := time.Now()
	msgs, errs := r.cli.Events(ctx, events.ListOptions{
		Filters: args,
		Since:   fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond()),
	})
	out := make(chan runtime.Event, eventBuffer)
	done := make(chan error, 1)
	go func() {
		err := forwardEvents(ctx, msgs, errs, out)
		close(out)
		done <- err
		close(done)
	}()
	return out, done
}

// forwardEvents copies engine messages to out until the stream ends, and returns why: nil when ctx ended.
func forwardEvents(ctx context.Context, msgs <-chan events.Message, errs <-chan error, out chan<- runtime.Event) error {
	for {
		select {
		case m := <-msgs:
			select {
			case out <- eventOf(m):
			case <-ctx.Done():
				return nil
			}
		case err := <-errs:
			// The client reports ctx's own error when ctx ends, and io.EOF when the engine closed the stream
			// (a daemon restart): only the latter is news for the caller.
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = io.EOF
			}
			return classify(err, "container event stream")
		case <-ctx.Done():
			return nil
		}
	}
}

// eventOf translates one engine message. The engine names the container and reports the exit code in the
// attributes, which also carry the container's labels.
func eventOf(m events.Message) runtime.Event {
	ev := runtime.Event{
		ID:        m.Actor.ID,
		Container: m.Actor.Attributes["name"],
		Action:    runtime.EventAction(m.Action),
		Labels:    runtime.Labels{},
		Time:      time.Unix(0, m.TimeNano),
	}
	if m.TimeNano == 0 {
		ev.Time = time.Unix(m.Time, 0)
	}
	if code, err := strconv.Atoi(m.Actor.Attributes["exitCode"]); err == nil {
		ev.ExitCode = code
	}
	for k, v := range m.Actor.Attributes {
		if !engineAttributes[k] {
			ev.Labels[k] = v
		}
	}
	return ev
}
