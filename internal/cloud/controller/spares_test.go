package controller

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

func (h *harness) spares() []store.Spare {
	h.t.Helper()
	var out []store.Spare
	if err := h.store.View(func(tx *store.Tx) error { var err error; out, err = tx.ListSpares(); return err }); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// waitSpare waits until a ready spare of major exists and returns it.
func (h *harness) waitSpare(major string) store.Spare {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range h.spares() {
			if s.Ready && s.Major == major {
				return s
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("no ready spare of %s: %+v", major, h.spares())
	return store.Spare{}
}

func (h *harness) volumeExists(name string) bool {
	objs, err := h.rt.List(context.Background(), runtime.Labels{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, o := range objs {
		if o.Kind == runtime.KindVolume && o.Name == name {
			return true
		}
	}
	return false
}

// TestCreateAdoptsASpare: the first create makes its own volume and has a spare filled; the next create
// adopts that spare (no copy to wait for) and a new spare is filled; a delete removes the adopted volume.
func TestCreateAdoptsASpare(t *testing.T) {
	h := newHarness(t)
	var fills []runtime.ContainerSpec
	h.rt.OnRun = func(spec runtime.ContainerSpec, _ io.Reader, _, _ io.Writer) (int, error) {
		if spec.Labels[runtime.LabelRole] == "spare-fill" { // not the backup storage's jobs
			fills = append(fills, spec)
		}
		return 0, nil
	}
	if op := h.waitOp(h.createServer("first").ID); op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	if s, _ := h.server("first"); primary(s).Volume != h.ctl.volumeName("first") {
		t.Fatalf("the first create used %q, want its own new volume", primary(s).Volume)
	}
	spare := h.waitSpare("15")
	if len(fills) != 1 || fills[0].Env[0] != postgres.PrepareEnv || fills[0].Network != runtime.NoNetwork ||
		fills[0].Mounts[0].Volume != spare.Volume || fills[0].Labels[runtime.LabelResource] != h.ctl.spareResource() {
		t.Fatalf("fill containers %+v for spare %+v", fills, spare)
	}
	if op := h.waitOp(h.createServer("second").ID); op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	s, _ := h.server("second")
	if primary(s).Volume != spare.Volume {
		t.Fatalf("the second create used %q, want the spare %q", primary(s).Volume, spare.Volume)
	}
	// The engine refuses to remove a volume a container mounts: the server's container mounts the spare.
	if err := h.rt.RemoveVolume(context.Background(), spare.Volume); !errors.Is(err, runtime.ErrConflict) {
		t.Fatalf("removing the adopted spare: %v, want a conflict (the container mounts it)", err)
	}
	if next := h.waitSpare("15"); next.Volume == spare.Volume {
		t.Fatal("the adopted spare is still listed as a spare")
	}
	busy := func(tx *store.Tx, op *store.Operation) error {
		return updateServer(tx, "second", func(s *store.Server) { s.ActiveOp = op.ID })
	}
	if op := h.waitOp(h.submit(KindServerDelete, "second", nil, busy).ID); op.Status != model.OperationSucceeded {
		t.Fatalf("delete: %+v", op.Error)
	}
	if h.volumeExists(spare.Volume) {
		t.Fatal("the delete left the adopted volume behind")
	}
}

// TestFailedFillLeavesNothing: a spare whose fill fails is removed, record and volume.
func TestFailedFillLeavesNothing(t *testing.T) {
	h := newHarness(t)
	h.rt.OnRun = func(runtime.ContainerSpec, io.Reader, io.Writer, io.Writer) (int, error) { return 1, nil }
	h.waitOp(h.createServer("first").ID)
	deadline := time.Now().Add(5 * time.Second)
	for h.ctl.spares.begin("15") == false {
		if time.Now().After(deadline) {
			t.Fatal("the fill never ended")
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.ctl.spares.end("15")
	if sp := h.spares(); len(sp) != 0 {
		t.Fatalf("spares after a failed fill: %+v", sp)
	}
	objs, _ := h.rt.List(context.Background(), runtime.Labels{runtime.LabelResource: h.ctl.spareResource()})
	if len(objs) != 0 {
		t.Fatalf("left by the failed fill: %+v", objs)
	}
}

// TestStartSweepsUnfinishedSpares: when the cloud starts, a spare a crashed run did not finish filling and a
// spare volume no record names are removed; a ready spare and a volume a server adopted stay.
func TestStartSweepsUnfinishedSpares(t *testing.T) {
	h := newHarness(t)
	h.ctl.Close()
	ctx := context.Background()
	labels := h.ctl.labels(h.ctl.spareResource(), RoleSpareData)
	for _, v := range []string{"half", "ready", "orphan", "adopted"} {
		if err := h.rt.CreateVolume(ctx, runtime.VolumeSpec{Name: v, Labels: labels}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.store.Update(func(tx *store.Tx) error {
		if err := tx.PutSpare(store.Spare{Volume: "half", Major: "15"}); err != nil {
			return err
		}
		if err := tx.PutSpare(store.Spare{Volume: "ready", Major: "15", Ready: true}); err != nil {
			return err
		}
		return tx.PutServer(store.Server{Spec: model.Server{Name: "demo"}, Phase: store.PhaseStopped, Instances: []store.Instance{{Name: "0", Role: store.RolePrimary, Volume: "adopted"}}})
	}); err != nil {
		t.Fatal(err)
	}
	h.start()
	for v, want := range map[string]bool{"half": false, "orphan": false, "ready": true, "adopted": true} {
		if got := h.volumeExists(v); got != want {
			t.Errorf("volume %s exists = %v, want %v", v, got, want)
		}
	}
	if sp := h.spares(); len(sp) != 1 || sp[0].Volume != "ready" {
		t.Fatalf("spare records %+v, want only the ready one", sp)
	}
}

// TestCreateWaitsForTheSpareBeingFilled: a create that finds a fill under way waits for it and adopts the
// volume, rather than copying the template itself.
func TestCreateWaitsForTheSpareBeingFilled(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the controller closes, whatever the test's outcome
	h.rt.OnRun = func(spec runtime.ContainerSpec, _ io.Reader, _, _ io.Writer) (int, error) {
		if spec.Labels[runtime.LabelRole] == "spare-fill" { // the backup storage's jobs go on
			<-release
		}
		return 0, nil
	}
	h.waitOp(h.createServer("first").ID) // its volume step starts the fill, which now waits
	second := h.createServer("second")
	h.waitEntered(second.ID, "volume")
	free()
	if op := h.waitOp(second.ID); op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	if s, _ := h.server("second"); primary(s).Volume == h.ctl.volumeName("second") || !strings.Contains(primary(s).Volume, "-spare-") {
		t.Fatalf("the second create used %q, want the spare that was being filled", primary(s).Volume)
	}
}

// waitEntered waits until the operation has entered the named step (it may have left it since).
func (h *harness) waitEntered(id, name string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var op store.Operation
		_ = h.store.View(func(tx *store.Tx) error { var err error; op, err = tx.GetOperation(id); return err })
		for _, s := range op.Steps {
			if s.Name == name {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("operation %s never entered step %s", id, name)
}

// TestOnlyOneCreateWaitsForAFill: one fill makes one spare, so of several creates that find it running one
// waits and the others go on with volumes of their own at once.
func TestOnlyOneCreateWaitsForAFill(t *testing.T) {
	var f spareFills
	if !f.begin("15") {
		t.Fatal("begin")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waited := make(chan struct{})
	go func() { f.wait(ctx, "15"); close(waited) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		w := f.waiting["15"]
		f.mu.Unlock()
		if w {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first create never waited")
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	f.wait(ctx, "15") // a second create: returns at once
	if time.Since(start) > time.Second {
		t.Fatal("a second create waited for a fill another create waits for")
	}
	f.end("15")
	<-waited
}
