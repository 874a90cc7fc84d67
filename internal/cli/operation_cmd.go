package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// cmdOperation shows one operation with the time each of its steps took.
func cmdOperation(ctx context.Context, e *env, args []string) error {
	id, err := oneArg(flags(e, "operation"), args, "operation ID")
	if err != nil {
		return err
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	op, err := c.GetOperation(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "operation %s: %s of %s, %s\n", op.ID, op.Kind, op.ResourceID, op.Status)
	if op.Error != nil {
		fmt.Fprintf(e.stdout, "error: %s\n", op.Error.Message)
	}
	writeSteps(e.stdout, *op)
	return nil
}

// writeSteps prints the steps of an operation, one a line, with their durations and the total.
func writeSteps(w io.Writer, op model.Operation) {
	var total float64
	for _, s := range op.Steps {
		what := s.Name
		if s.RollingBack {
			what += " (rollback)"
		}
		if s.FinishedAt == nil {
			fmt.Fprintf(w, "  %-24s running\n", what)
			continue
		}
		total += s.DurationMS
		outcome := ""
		if s.Outcome != model.StepOK {
			outcome = "  " + s.Outcome
		}
		fmt.Fprintf(w, "  %-24s %9.1f ms%s\n", what, s.DurationMS, outcome)
	}
	if op.FinishedAt != nil {
		fmt.Fprintf(w, "  %-24s %9.1f ms in steps, %.1f ms from start to end\n", "total", total,
			float64(op.FinishedAt.Sub(op.StartedAt).Microseconds())/1000)
	}
}
