package docker

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// eventWait bounds how long an expected event may take: the failover watcher relies on hearing of a dead
// primary at once.
const eventWait = 2 * time.Second

func TestEvents(t *testing.T) {
	env := newTestEnv(t)
	env.withTestbox(t)
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	watched := env.owned("/flexibleServers/ev")
	evs, errs := env.rt.Events(ctx, runtime.Labels{runtime.LabelTest: env.id, runtime.LabelResource: "/flexibleServers/ev"})

	// Only the watched container's events may arrive, not those of a container with other labels.
	other := env.name("ev-other")
	if _, err := env.rt.CreateContainer(env.ctx, runtime.ContainerSpec{Name: other, Image: testboxRef, Labels: env.owned("/flexibleServers/other")}); err != nil {
		t.Fatal(err)
	}
	name := env.name("ev")
	id, err := env.rt.CreateContainer(env.ctx, runtime.ContainerSpec{Name: name, Image: testboxRef, Labels: watched})
	if err != nil {
		t.Fatal(err)
	}
	// Created right after subscribing: the subscription must already cover it.
	ev := nextEvent(t, evs, name, runtime.ActionCreate)
	if ev.Container != name || ev.ID != id || ev.Labels[runtime.LabelResource] != "/flexibleServers/ev" || ev.Labels["name"] != "" {
		t.Errorf("create event = %+v, want %s (%s) with its labels only", ev, name, id)
	}
	if time.Since(ev.Time) > time.Minute || ev.Time.After(time.Now().Add(time.Second)) {
		t.Errorf("event time %v is not now", ev.Time)
	}
	if err := env.rt.StartContainer(env.ctx, name); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, evs, name, runtime.ActionStart)

	// Pause, unpause and kill come from outside the runtime, straight through the engine, as a fault would.
	cli := env.rt.Client()
	if err := cli.ContainerPause(env.ctx, name); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, evs, name, runtime.ActionPause)
	if err := cli.ContainerUnpause(env.ctx, name); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, evs, name, runtime.ActionUnpause)
	killed := time.Now()
	if err := cli.ContainerKill(env.ctx, name, "KILL"); err != nil {
		t.Fatal(err)
	}
	ev = nextEvent(t, evs, name, runtime.ActionDie)
	t.Logf("die event received %s after the kill request, %s after the engine stamped it",
		time.Since(killed), time.Since(ev.Time))
	if ev.Container != name || ev.ID != id || ev.ExitCode != 137 {
		t.Errorf("die event = %+v, want %s exit 137", ev, name)
	}
	if err := cli.ContainerRemove(env.ctx, name, container.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, evs, name, runtime.ActionDestroy)

	cancel()
	for ev := range evs {
		t.Errorf("event after cancel: %+v", ev)
	}
	if err := <-errs; err != nil {
		t.Errorf("stream ended by ctx: err %v, want nil", err)
	}
}

// nextEvent returns the next event with action, skipping other actions of the container (kill before
// die, for example), and fails on an event of another container or after eventWait.
func nextEvent(t *testing.T, evs <-chan runtime.Event, name string, action runtime.EventAction) runtime.Event {
	t.Helper()
	deadline := time.After(eventWait)
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatalf("event stream closed waiting for %s", action)
			}
			if ev.Container != name {
				t.Fatalf("event %s of %s, want only events of %s", ev.Action, ev.Container, name)
			}
			if ev.Action == action {
				return ev
			}
			t.Logf("skipped event %s %s", ev.Action, ev.Container)
		case <-deadline:
			t.Fatalf("no %s event within %s", action, eventWait)
		}
	}
}

// TestKillPaused shows what fencing a paused primary does on this engine: SIGKILL ends a paused container
// (the engine thaws it after queueing the signal), and so does a stop, while another signal leaves it
// paused.
func TestKillPaused(t *testing.T) {
	env := newTestEnv(t)
	env.withTestbox(t)
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	evs, _ := env.rt.Events(ctx, env.labels)
	start := func(name string) {
		t.Helper()
		spec := runtime.ContainerSpec{Name: name, Image: testboxRef, Labels: env.labels, StopSignal: "SIGINT"}
		if _, err := env.rt.CreateContainer(env.ctx, spec); err != nil {
			t.Fatal(err)
		}
		if err := env.rt.StartContainer(env.ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := env.rt.PauseContainer(env.ctx, name); err != nil {
			t.Fatal(err)
		}
	}

	killed := env.name("kill")
	start(killed)
	// testbox ignores SIGUSR1; while frozen it does not even get to: the container stays paused.
	if err := env.rt.KillContainer(env.ctx, killed, "SIGUSR1"); err != nil {
		t.Fatalf("SIGUSR1 to a paused container: %v", err)
	}
	if info, err := env.rt.InspectContainer(env.ctx, killed); err != nil || !info.Paused {
		t.Fatalf("after SIGUSR1: %+v, %v; want still paused", info, err)
	}
	if err := env.rt.KillContainer(env.ctx, killed, ""); err != nil {
		t.Fatalf("SIGKILL to a paused container: %v", err)
	}
	if ev := nextEvent(t, evs, killed, runtime.ActionDie); ev.Container != killed || ev.ExitCode != 137 {
		t.Fatalf("die event = %+v, want %s with 137", ev, killed)
	}
	info, err := env.rt.InspectContainer(env.ctx, killed)
	if err != nil || info.Running || info.Paused || info.ExitCode != 137 {
		t.Fatalf("after SIGKILL: %+v, %v; want exited with 137, not paused", info, err)
	}

	// testbox exits 0 on SIGINT, so an exit 0 well before the grace period shows the stop signal reached it.
	stopped := env.name("stop")
	start(stopped)
	began := time.Now()
	if err := env.rt.StopContainer(env.ctx, stopped, 10*time.Second); err != nil {
		t.Fatalf("stop a paused container: %v", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("stop of a paused container took %s: the stop signal waited for the grace period", d)
	}
	info, err = env.rt.InspectContainer(env.ctx, stopped)
	if err != nil || info.Running || info.Paused || info.ExitCode != 0 {
		t.Fatalf("after stop: %+v, %v; want exited with 0, not paused", info, err)
	}
}
