package fake

import (
	"context"
	"errors"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// errStreamEnded is what EndEvents reports when given no error of its own.
var errStreamEnded = errors.New("fake: event stream ended")

// subscriber is one Events stream. The fake never waits for a reader: events are queued without bound and
// a goroutine per subscriber hands them over, so a slow reader costs memory but never loses an event (a
// lost die would hide a dead primary) nor blocks the lifecycle call that caused it.
type subscriber struct {
	match runtime.Labels
	wake  chan struct{} // capacity 1: "the queue changed"

	mu     sync.Mutex
	queue  []runtime.Event
	ended  bool
	endErr error
}

// Events streams the events the fake's lifecycle methods and its test-side Exit, Freeze and Thaw cause,
// with the actions Docker reports for them (see runtime.Runtime). A failure injected with FailNext ends the
// stream at once with that error; EndEvents ends the open streams, as a daemon restart does.
func (f *Runtime) Events(ctx context.Context, match runtime.Labels) (<-chan runtime.Event, <-chan error) {
	out := make(chan runtime.Event)
	done := make(chan error, 1)
	f.mu.Lock()
	err := f.enter(ctx, "Events")
	s := &subscriber{match: copyLabels(match), wake: make(chan struct{}, 1)}
	if err == nil {
		f.subs[s] = struct{}{}
	}
	f.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			err = nil // ended by ctx, as documented
		}
		close(out)
		done <- err
		close(done)
		return out, done
	}
	go func() {
		err := s.run(ctx, out)
		f.unsubscribe(s)
		close(out)
		done <- err
		close(done)
	}()
	return out, done
}

// run hands the queued events to out until ctx ends (nil) or the stream is ended (its error), delivering
// what was queued before the end first.
func (s *subscriber) run(ctx context.Context, out chan<- runtime.Event) error {
	for {
		s.mu.Lock()
		queue, ended, endErr := s.queue, s.ended, s.endErr
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range queue {
			select {
			case out <- ev:
			case <-ctx.Done():
				return nil
			}
		}
		if ended {
			return endErr
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return nil
		}
	}
}

// push queues an event unless the stream has ended.
func (s *subscriber) push(ev runtime.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.queue = append(s.queue, ev)
	s.signal()
}

// end stops the stream with err after the events already queued. Callers hold s.mu.
func (s *subscriber) end(err error) {
	if !s.ended {
		s.ended, s.endErr = true, err
		s.signal()
	}
}

func (s *subscriber) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (f *Runtime) unsubscribe(s *subscriber) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, s)
}

// emit reports an event of container c to every subscriber whose match it fits. Callers hold f.mu, which
// orders the events as the changes that caused them.
func (f *Runtime) emit(c *fcontainer, action runtime.EventAction, exitCode int) {
	f.emitFor(c.id, c.spec.Name, c.spec.Labels, action, exitCode)
}

// emitFor is emit for a container the fake does not keep (a Run container). Callers hold f.mu.
func (f *Runtime) emitFor(id, name string, labels runtime.Labels, action runtime.EventAction, exitCode int) {
	if len(f.subs) == 0 {
		return
	}
	at := f.now()
	for s := range f.subs {
		if hasLabels(labels, s.match) {
			s.push(runtime.Event{ID: id, Container: name, Action: action, ExitCode: exitCode, Labels: copyLabels(labels), Time: at})
		}
	}
}

// EndEvents ends every open event stream with err (nil stands for a generic "stream ended"), as a daemon
// restart does, so a test can check that a watcher resubscribes. Events queued before are still delivered.
func (f *Runtime) EndEvents(err error) {
	if err == nil {
		err = errStreamEnded
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.mu.Lock()
		s.end(err)
		s.mu.Unlock()
		delete(f.subs, s)
	}
}

// EventSubscribers returns how many event streams are open, so a test can wait for a watcher to subscribe
// before it causes the event the watcher should see.
func (f *Runtime) EventSubscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}
