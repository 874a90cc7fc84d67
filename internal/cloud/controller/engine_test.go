package controller

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func steps(names ...string) []step {
	out := make([]step, len(names))
	for i, n := range names {
		out[i] = step{name: n}
	}
	return out
}

// TestResumePoint: an operation resumes at the step it names, wherever that step sits in this build's list.
func TestResumePoint(t *testing.T) {
	// This build added "image" before "volume" and dropped "legacy" compared with the build that stored
	// the operations below.
	p := plan{steps: steps("reservePort", "image", "volume", "start"), rollback: steps("removeVolume", "forget")}
	tests := []struct {
		name        string
		op          store.Operation
		wantRollBk  bool
		wantIndex   int
		wantErrPart string
	}{
		{name: "queued", op: op("queued", false), wantIndex: 0},
		{name: "no step yet", op: op("", false), wantIndex: 0},
		{name: "moved by an inserted step", op: op("volume", false), wantIndex: 2},
		{name: "last step", op: op("start", false), wantIndex: 3},
		{name: "rolling back", op: op("forget", true), wantRollBk: true, wantIndex: 1},
		{name: "forward name while rolling back", op: op("volume", true), wantErrPart: `"volume"`},
		{name: "step this build lacks", op: op("legacy", false), wantErrPart: `stopped at step "legacy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, i, err := resumePoint(p, tt.op)
			if tt.wantErrPart != "" {
				var oe *OpError
				if !errors.As(err, &oe) || !strings.Contains(oe.Message, tt.wantErrPart) || !strings.Contains(oe.Message, "server.create") {
					t.Fatalf("err = %v, want an OpError mentioning %s and the kind", err, tt.wantErrPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := p.steps
			if tt.wantRollBk {
				want = p.rollback
			}
			if i != tt.wantIndex || list[i].name != want[tt.wantIndex].name || len(list) != len(want) {
				t.Fatalf("resumes at %d (%s) of %d steps, want %d (%s)", i, list[i].name, len(list), tt.wantIndex, want[tt.wantIndex].name)
			}
		})
	}
}

func op(stepName string, rollingBack bool) store.Operation {
	return store.Operation{Operation: model.Operation{ID: "op1", Kind: KindServerCreate, Step: stepName}, RollingBack: rollingBack}
}

func TestCheckPlanRefusesRepeatedNames(t *testing.T) {
	if err := checkPlan("k", plan{steps: steps("a", "b"), rollback: steps("a")}); err != nil {
		t.Fatalf("distinct names per list: %v", err)
	}
	for _, p := range []plan{{steps: steps("a", "b", "a")}, {rollback: steps("x", "x")}, {steps: steps("queued")}} {
		if err := checkPlan("k", p); err == nil {
			t.Errorf("plan %v accepted", p)
		}
	}
}

// TestEveryPlanHasDistinctStepNames builds the plan of every kind, with payloads that switch on every
// optional step, and checks it resumes unambiguously.
func TestEveryPlanHasDistinctStepNames(t *testing.T) {
	h := newHarness(t)
	payloads := map[string]any{
		KindServerUpdate: UpdatePayload{
			Old:      model.Server{State: spec.StateStopped, SKUName: "GP_Standard_D2s_v3"},
			New:      model.Server{State: spec.StateReady, SKUName: "GP_Standard_D4s_v3"},
			Verifier: "v",
		},
		KindConfigurationPut: ConfigurationPayload{Name: "max_connections", Value: "100"},
	}
	for kind, build := range h.ctl.kinds {
		body, _ := json.Marshal(payloads[kind])
		p, err := build(store.Operation{Operation: model.Operation{Kind: kind}, Server: "s", Payload: body})
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if err := checkPlan(kind, p); err != nil {
			t.Error(err)
		}
	}
}

// TestOperationRecordsStepTimings: a finished create lists each of its steps once, in order, with its
// duration and outcome.
func TestOperationRecordsStepTimings(t *testing.T) {
	h := newHarness(t)
	op := h.waitOp(h.createServer("demo").ID)
	if op.Status != model.OperationSucceeded {
		t.Fatalf("create: %+v", op.Error)
	}
	p, _ := h.ctl.planServerCreate(op)
	if len(op.Steps) != len(p.steps) {
		t.Fatalf("recorded %d steps, the plan has %d: %+v", len(op.Steps), len(p.steps), op.Steps)
	}
	for i, s := range op.Steps {
		if s.Name != p.steps[i].name || s.Outcome != model.StepOK || s.FinishedAt == nil || s.FinishedAt.Before(s.StartedAt) || s.DurationMS < 0 {
			t.Errorf("step %d: %+v, want %s ok with an end", i, s, p.steps[i].name)
		}
	}
}

// TestResumedStepAppearsTwice: a step interrupted by the cloud stopping is recorded as interrupted, and its
// re-run after the restart as a second entry.
func TestResumedStepAppearsTwice(t *testing.T) {
	h := newHarness(t)
	h.pg.block = true
	id := h.createServer("demo").ID
	h.waitStep(id, "start")
	h.ctl.Close()
	h.pg.mu.Lock()
	h.pg.block = false
	h.pg.mu.Unlock()
	h.start()
	op := h.waitOp(id)
	if op.Status != model.OperationSucceeded {
		t.Fatalf("resumed create: %+v", op.Error)
	}
	var outcomes []string
	for _, s := range op.Steps {
		if s.Name == "start" {
			outcomes = append(outcomes, s.Outcome)
		}
	}
	if strings.Join(outcomes, ",") != "interrupted,ok" {
		t.Fatalf("start step outcomes %v, want interrupted then ok", outcomes)
	}
}

// TestUnknownStepRollsBack: an operation stored at a step this build does not know is not guessed at: a
// create rolls back (nothing is left) and fails naming the step.
func TestUnknownStepRollsBack(t *testing.T) {
	h := newHarness(t)
	h.ctl.Close()
	opID := ""
	spec := model.Server{Name: "demo", Location: "westeurope", Version: "15", SKUName: "B_Standard_B1ms",
		StorageMB: 32768, AdministratorLogin: "pgadmin", State: "Ready"}
	if err := h.store.Update(func(tx *store.Tx) error {
		o := h.ctl.NewOperation(KindServerCreate, "/flexibleServers/demo", "demo", nil)
		o.Step = "stepOfAnOlderBuild"
		opID = o.ID
		if err := tx.PutServer(store.Server{Spec: spec, Phase: store.PhaseProvisioning, ActiveOp: o.ID}); err != nil {
			return err
		}
		return tx.PutOperation(o)
	}); err != nil {
		t.Fatal(err)
	}
	h.start()
	op := h.waitOp(opID)
	if op.Status != model.OperationFailed || op.Error == nil || !strings.Contains(op.Error.Message, `"stepOfAnOlderBuild"`) {
		t.Fatalf("op %+v error %+v", op, op.Error)
	}
	if _, err := h.server("demo"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("server record left behind: %v", err)
	}
	if len(op.Steps) == 0 || !op.Steps[0].RollingBack {
		t.Fatalf("no rollback steps ran: %+v", op.Steps)
	}
}
