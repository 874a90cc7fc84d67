package fake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// take reads n events, failing after a second without one.
func take(t *testing.T, evs <-chan runtime.Event, n int) []runtime.Event {
	t.Helper()
	var got []runtime.Event
	for len(got) < n {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatalf("stream closed after %d of %d events: %v", len(got), n, brief(got))
			}
			got = append(got, ev)
		case <-time.After(time.Second):
			t.Fatalf("got %d of %d events: %v", len(got), n, brief(got))
		}
	}
	return got
}

// brief renders events as "action name[/code]" for comparisons.
func brief(evs []runtime.Event) []string {
	var out []string
	for _, ev := range evs {
		s := string(ev.Action) + " " + ev.Container
		if ev.Action == runtime.ActionDie {
			s += fmt.Sprintf("/%d", ev.ExitCode)
		}
		out = append(out, s)
	}
	return out
}

func expectEvents(t *testing.T, evs <-chan runtime.Event, want ...string) []runtime.Event {
	t.Helper()
	got := take(t, evs, len(want))
	if !slices.Equal(brief(got), want) {
		t.Fatalf("events = %q, want %q", brief(got), want)
	}
	return got
}

func TestEventsOfLifecycle(t *testing.T) {
	f, ctx := newWithNetwork(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evs, errs := f.Events(ctx, owner("/s"))
	mustCreate(t, f, runtime.ContainerSpec{Name: "other", Image: img, Labels: owner("/other")}) // not watched
	id := mustCreate(t, f, runtime.ContainerSpec{Name: "s", Image: img, Labels: owner("/s"), Network: "net"})
	steps := []func() error{
		func() error { return f.StartContainer(ctx, "s") },
		func() error { return f.StartContainer(ctx, "s") }, // already running: no event, as in Docker
		func() error { return f.PauseContainer(ctx, "s") },
		func() error { return f.StopContainer(ctx, "s", time.Second) },
		func() error { return f.StopContainer(ctx, "s", time.Second) }, // already stopped: nothing
		func() error { return f.StartContainer(ctx, "s") },
		func() error { return f.KillContainer(ctx, "s", "SIGHUP") }, // ignored by the fake's process
		func() error { return f.KillContainer(ctx, "s", "") },
		func() error { return f.StartContainer(ctx, "s") },
		func() error { return f.RemoveContainer(ctx, "s") }, // forced: kills first
		func() error { return f.StartContainer(ctx, "other") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	got := expectEvents(t, evs,
		"create s", "start s", "pause s", "kill s", "unpause s", "die s/0", "stop s", "start s",
		"kill s", "kill s", "die s/137", "start s", "kill s", "die s/137", "destroy s")
	for _, ev := range got {
		if ev.ID != id || ev.Labels[runtime.LabelResource] != "/s" || ev.Time.IsZero() {
			t.Errorf("event %+v: want ID %s, the container's labels and a time", ev, id)
		}
	}
	got[0].Labels[runtime.LabelResource] = "changed" // each event has its own labels
	if got[1].Labels[runtime.LabelResource] != "/s" {
		t.Error("events share their labels map")
	}
	cancel()
	for ev := range evs {
		t.Errorf("event after cancel: %+v", ev)
	}
	if err := <-errs; err != nil {
		t.Errorf("stream ended by ctx: err %v, want nil", err)
	}
}

func TestEventsOfOutsideChanges(t *testing.T) {
	f, ctx := newWithNetwork(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evs, _ := f.Events(ctx, runtime.Labels{runtime.LabelCloud: "c1"})
	mustCreate(t, f, runtime.ContainerSpec{Name: "p", Image: img, Labels: owner("/p")})
	mustCreate(t, f, runtime.ContainerSpec{Name: "auto", Image: img, Labels: owner("/auto"), AutoRemove: true})
	for _, name := range []string{"p", "auto"} {
		if err := f.StartContainer(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	expectEvents(t, evs, "create p", "create auto", "start p", "start auto")

	if !f.Freeze("p") || f.Freeze("p") || !f.Thaw("p") || f.Thaw("p") {
		t.Fatal("Freeze/Thaw: want true only for a change")
	}
	if !f.Freeze("p") || !f.Exit("p", 139) || f.Exit("p", 1) { // a crash while paused
		t.Fatal("Exit of a paused container: want true once")
	}
	if info, _ := f.InspectContainer(ctx, "p"); info.Running || info.Paused || info.ExitCode != 139 {
		t.Errorf("after Exit: %+v", info)
	}
	if !f.Exit("auto", 137) {
		t.Fatal("Exit auto")
	}
	expectEvents(t, evs, "pause p", "unpause p", "pause p", "die p/139", "die auto/137", "destroy auto")

	f.AddImage("tool")
	f.OnRun = func(runtime.ContainerSpec, io.Reader, io.Writer, io.Writer) (int, error) { return 3, nil }
	if code, err := f.Run(ctx, runtime.ContainerSpec{Name: "job", Image: "tool", Labels: owner("/job")}, nil, nil, nil); err != nil || code != 3 {
		t.Fatalf("Run = %d, %v", code, err)
	}
	got := expectEvents(t, evs, "create job", "start job", "die job/3", "destroy job")
	if got[0].ID == "" || got[3].ID != got[0].ID {
		t.Errorf("Run events carry IDs %q and %q, want one ID", got[0].ID, got[3].ID)
	}
}

// TestSlowSubscriber: a subscriber that reads nothing must neither block the fake nor lose events.
func TestSlowSubscriber(t *testing.T) {
	f, ctx := newWithNetwork(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slow, _ := f.Events(ctx, nil)
	fast, _ := f.Events(ctx, nil)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img, Labels: owner("/c")})
	if err := f.StartContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	const rounds = 500
	done := make(chan error, 1)
	go func() {
		for range rounds {
			if err := f.PauseContainer(ctx, "c"); err != nil {
				done <- err
				return
			}
			if err := f.UnpauseContainer(ctx, "c"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("lifecycle calls blocked by a subscriber that does not read")
	}
	want := 2 + 2*rounds
	for name, evs := range map[string]<-chan runtime.Event{"fast": fast, "slow": slow} {
		got := take(t, evs, want)
		for i := 2; i < want; i++ {
			if wantAction := []runtime.EventAction{runtime.ActionPause, runtime.ActionUnpause}[i%2]; got[i].Action != wantAction {
				t.Fatalf("%s subscriber: event %d is %s, want %s", name, i, got[i].Action, wantAction)
			}
		}
	}
}

func TestEventStreamEnds(t *testing.T) {
	f, ctx := newWithNetwork(t)
	broken := errors.New("daemon restarted")

	evs, errs := f.Events(ctx, nil)
	if n := f.EventSubscribers(); n != 1 {
		t.Fatalf("EventSubscribers = %d, want 1", n)
	}
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img, Labels: owner("/c")})
	f.EndEvents(broken)
	// What happened before the end is still delivered, then the stream closes with the reason.
	expectEvents(t, evs, "create c")
	if _, ok := <-evs; ok {
		t.Fatal("stream still open after EndEvents")
	}
	if err := <-errs; !errors.Is(err, broken) {
		t.Errorf("ended stream: err %v, want %v", err, broken)
	}
	if _, ok := <-errs; ok {
		t.Error("error channel yields more than one value")
	}
	if n := f.EventSubscribers(); n != 0 {
		t.Errorf("EventSubscribers after the end = %d, want 0", n)
	}

	f.FailNext("Events", broken)
	evs, errs = f.Events(ctx, nil)
	if _, ok := <-evs; ok {
		t.Fatal("failed subscription delivers events")
	}
	if err := <-errs; !errors.Is(err, broken) {
		t.Errorf("failed subscription: err %v, want %v", err, broken)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	evs, errs = f.Events(cancelled, nil)
	if _, ok := <-evs; ok {
		t.Fatal("subscription with an ended ctx delivers events")
	}
	if err := <-errs; err != nil {
		t.Errorf("subscription with an ended ctx: err %v, want nil", err)
	}
	if calls := f.Calls(); !slices.Contains(calls, "Events") {
		t.Errorf("Calls = %v, want Events recorded", calls)
	}
}

// TestKillPausedContainer follows Docker (see the Docker runtime's TestKillPaused): SIGKILL and the stop
// signal end a paused container, other signals leave it paused.
func TestKillPausedContainer(t *testing.T) {
	f, ctx := newWithNetwork(t)
	evs, _ := f.Events(ctx, nil)
	paused := func(name string) {
		t.Helper()
		mustCreate(t, f, runtime.ContainerSpec{Name: name, Image: img, Labels: owner("/" + name), StopSignal: "SIGINT"})
		if err := f.StartContainer(ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := f.PauseContainer(ctx, name); err != nil {
			t.Fatal(err)
		}
		take(t, evs, 3)
	}
	paused("a")
	for _, sig := range []string{"SIGTERM", "USR1"} { // not its stop signal
		if err := f.KillContainer(ctx, "a", sig); err != nil {
			t.Fatal(err)
		}
	}
	if info, _ := f.InspectContainer(ctx, "a"); !info.Paused {
		t.Fatalf("after SIGTERM and SIGUSR1: %+v, want still paused", info)
	}
	if err := f.KillContainer(ctx, "a", "KILL"); err != nil {
		t.Fatal(err)
	}
	if info, _ := f.InspectContainer(ctx, "a"); info.Running || info.Paused || info.ExitCode != 137 {
		t.Fatalf("after SIGKILL: %+v", info)
	}
	expectEvents(t, evs, "kill a", "kill a", "kill a", "die a/137")

	paused("b")
	if err := f.KillContainer(ctx, "b", "INT"); err != nil {
		t.Fatal(err)
	}
	if info, _ := f.InspectContainer(ctx, "b"); info.Running || info.Paused || info.ExitCode != 0 {
		t.Fatalf("after the stop signal: %+v", info)
	}
	expectEvents(t, evs, "kill b", "unpause b", "die b/0")
}

func TestIsolateAndHeal(t *testing.T) {
	f, ctx := newWithNetwork(t)
	mustCreate(t, f, runtime.ContainerSpec{Name: "c", Image: img, Labels: owner("/c"), Network: "net"})
	if err := f.IsolateContainer(ctx, "c"); !errors.Is(err, runtime.ErrConflict) {
		t.Errorf("isolate a created container: err %v, want ErrConflict", err)
	}
	if err := f.HealContainer(ctx, "missing"); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("heal a missing container: err %v, want ErrNotFound", err)
	}
	if err := f.StartContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	before, _ := f.InspectContainer(ctx, "c")
	for range 2 {
		if err := f.IsolateContainer(ctx, "c"); err != nil || !f.Isolated("c") {
			t.Fatalf("IsolateContainer: %v, isolated %v", err, f.Isolated("c"))
		}
	}
	if after, _ := f.InspectContainer(ctx, "c"); after.IPs["net"] != before.IPs["net"] || after.IPs["net"] == "" {
		t.Errorf("isolation changed the address: %v -> %v", before.IPs, after.IPs)
	}
	if err := f.PauseContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.HealContainer(ctx, "c"); err != nil || f.Isolated("c") {
			t.Fatalf("HealContainer of a paused container: %v, isolated %v", err, f.Isolated("c"))
		}
	}
	if err := f.IsolateContainer(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	f.Exit("c", 1) // the links go with the process
	if err := f.StartContainer(ctx, "c"); err != nil || f.Isolated("c") {
		t.Errorf("restarted container: %v, isolated %v; want connected", err, f.Isolated("c"))
	}
}
