package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// step is one idempotent unit of an operation. After a crash the operation resumes by re-running the step it
// was in, so a step must tolerate finding its work already (partly) done.
type step struct {
	name string
	do   func(ctx context.Context, r *run) error
}

// plan is what an operation does: its steps, the steps that undo a failed attempt (if it has any), and the
// final bookkeeping written in the same transaction that marks the operation finished.
type plan struct {
	steps    []step
	rollback []step
	finish   func(tx *store.Tx, r *run) error // on success
	abandon  func(tx *store.Tx, r *run) error // on failure, after rollback
	// succeeded runs once the success is stored (work that must see it, such as a first full backup).
	succeeded func()
}

// run is one execution of an operation.
type run struct {
	c  *Controller
	op store.Operation
}

// payload decodes the operation's input.
func (r *run) payload(v any) error {
	if len(r.op.Payload) == 0 {
		return nil
	}
	return json.Unmarshal(r.op.Payload, v)
}

// planFor builds the plan of an operation from its kind.
func (c *Controller) planFor(op store.Operation) (plan, error) {
	build, ok := c.kinds[op.Kind]
	if !ok {
		return plan{}, fmt.Errorf("unknown operation kind %q", op.Kind)
	}
	p, err := build(op)
	if err != nil {
		return plan{}, err
	}
	return p, checkPlan(op.Kind, p)
}

// execute runs an operation from the step it reached. It returns when the operation has finished or when ctx
// is cancelled (the cloud is shutting down); in the latter case the operation stays Running and resumes on
// the next start.
func (c *Controller) execute(ctx context.Context, op store.Operation) {
	log := c.log.With("op", op.ID, "kind", op.Kind, "resource", op.ResourceID)
	p, err := c.planFor(op)
	if err != nil {
		c.fail(log, op, plan{}, err)
		return
	}
	r := &run{c: c, op: op}
	r.closeInterruptedStep()
	steps, i, err := resumePoint(p, r.op)
	if err != nil {
		if r.op.RollingBack || len(p.rollback) == 0 {
			c.fail(log, r.op, p, err)
			return
		}
		// The step is unknown to this build: undo what the earlier build did rather than guess.
		log.Warn("cannot resume; rolling back", "step", r.op.Step, "err", err)
		r.op.RollingBack, r.op.Error, steps, i = true, toModelError(err), p.rollback, 0
	}
	for i < len(steps) {
		s := steps[i]
		if err := c.enterStep(r, s.name); err != nil {
			log.Error("persist step", "step", s.name, "err", err)
			return
		}
		log.Debug("step", "step", s.name, "rolling_back", r.op.RollingBack)
		if s.name == c.cfg.PauseBeforeStep {
			log.Warn("fault injection: pausing before step until the cloud stops", "step", s.name)
			<-ctx.Done()
		}
		err := s.do(ctx, r)
		if ctx.Err() != nil {
			log.Info("operation interrupted; it resumes when the cloud starts again", "step", s.name)
			return
		}
		r.endStep(err)
		if err != nil {
			if r.op.RollingBack || len(p.rollback) == 0 {
				c.fail(log, r.op, p, stepError(s.name, err))
				return
			}
			log.Warn("step failed; rolling back", "step", s.name, "err", err)
			r.op.RollingBack = true
			r.op.Error = toModelError(stepError(s.name, err))
			steps, i = p.rollback, 0
			continue
		}
		i++
	}
	if r.op.RollingBack {
		c.fail(log, r.op, p, nil)
		return
	}
	c.succeed(log, r, p)
}

// stepQueued is the Step of an operation that has not started a step yet.
const stepQueued = "queued"

// resumePoint returns the step list an operation continues in and the position of the step it reached. The
// step is found by name, so an operation stored by another build resumes at the same step even when the
// list gained or lost steps around it; a step this build does not have is an error.
func resumePoint(p plan, op store.Operation) ([]step, int, error) {
	steps := p.steps
	if op.RollingBack {
		steps = p.rollback
	}
	if op.Step == "" || op.Step == stepQueued {
		return steps, 0, nil
	}
	for i, s := range steps {
		if s.name == op.Step {
			return steps, i, nil
		}
	}
	list := "steps"
	if op.RollingBack {
		list = "rollback steps"
	}
	return nil, 0, &OpError{Code: model.CodeInternal, Message: fmt.Sprintf(
		"operation %s (%s) stopped at step %q, which this build of the cloud does not have among the %s of %s; "+
			"the operation cannot resume where it was", op.ID, op.Kind, op.Step, list, op.Kind)}
}

// checkPlan refuses a plan whose step names repeat: an operation resumes by name, so a name must say where.
func checkPlan(kind string, p plan) error {
	for _, list := range [][]step{p.steps, p.rollback} {
		seen := map[string]bool{}
		for _, s := range list {
			if seen[s.name] || s.name == stepQueued {
				return fmt.Errorf("plan of %s: step name %q is used twice", kind, s.name)
			}
			seen[s.name] = true
		}
	}
	return nil
}

// enterStep records that the operation begins step name, durably, before the step runs.
func (c *Controller) enterStep(r *run, name string) error {
	r.op.Step = name
	r.op.Steps = append(r.op.Steps, model.OperationStep{Name: name, RollingBack: r.op.RollingBack, StartedAt: c.now()})
	return c.store.Update(func(tx *store.Tx) error { return tx.PutOperation(r.op) })
}

// endStep records how the current step ended. It is written with the next step (or the operation's end),
// which costs no extra write; a crash in between re-runs the step, which then appears twice.
func (r *run) endStep(err error) {
	outcome := model.StepOK
	if err != nil {
		outcome = model.StepFailed
	}
	r.closeStep(outcome)
}

// closeInterruptedStep marks the step a previous run of the cloud was in when it stopped.
func (r *run) closeInterruptedStep() { r.closeStep(model.StepInterrupted) }

func (r *run) closeStep(outcome string) {
	n := len(r.op.Steps)
	if n == 0 || r.op.Steps[n-1].FinishedAt != nil {
		return
	}
	last := &r.op.Steps[n-1]
	end := r.c.now()
	last.FinishedAt = &end
	last.DurationMS = float64(end.Sub(last.StartedAt).Microseconds()) / 1000
	last.Outcome = outcome
}

func (c *Controller) succeed(log *slog.Logger, r *run, p plan) {
	err := c.store.Update(func(tx *store.Tx) error {
		if p.finish != nil {
			if err := p.finish(tx, r); err != nil {
				return err
			}
		}
		if err := release(tx, r.op); err != nil {
			return err
		}
		return tx.PutOperation(finished(r.op, model.OperationSucceeded, nil, c.now()))
	})
	if err != nil {
		log.Error("record operation success", "err", err)
		return
	}
	log.Info("operation succeeded")
	if p.succeeded != nil {
		p.succeeded()
	}
}

// fail marks the operation failed. cause is nil when a rollback already recorded the original error.
func (c *Controller) fail(log *slog.Logger, op store.Operation, p plan, cause error) {
	merr := op.Error
	if cause != nil {
		merr = toModelError(cause)
	}
	r := &run{c: c, op: op}
	err := c.store.Update(func(tx *store.Tx) error {
		if p.abandon != nil {
			if err := p.abandon(tx, r); err != nil {
				return err
			}
		}
		if err := release(tx, op); err != nil {
			return err
		}
		return tx.PutOperation(finished(op, model.OperationFailed, merr, c.now()))
	})
	if err != nil {
		log.Error("record operation failure", "err", err)
		return
	}
	log.Warn("operation failed", "code", merr.Code, "message", merr.Message)
}

// release frees what the operation holds: the server's busy slot, or the hold on its network resource.
func release(tx *store.Tx, op store.Operation) error {
	if op.Server == "" {
		return tx.ReleaseResource(op.ResourceID, op.ID)
	}
	return releaseServer(tx, op)
}

// releaseServer frees the server's busy slot if this operation holds it. The server may already be gone
// (a finished delete or a rolled-back create).
func releaseServer(tx *store.Tx, op store.Operation) error {
	for _, partner := range op.Partners {
		if err := tx.ReleasePartner(partner, op.ID); err != nil {
			return err
		}
	}
	s, err := tx.GetServer(op.Server)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.ActiveOp != op.ID {
		return nil
	}
	s.ActiveOp = ""
	return tx.PutServer(s)
}

func finished(op store.Operation, status string, merr *model.Error, at timeNow) store.Operation {
	op.Status = status
	op.Error = merr
	t := at
	op.FinishedAt = &t
	op.Payload = nil // inputs may hold a password verifier; they are not needed once the operation is over
	return op
}
