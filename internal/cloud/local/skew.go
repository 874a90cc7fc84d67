package local

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// BuildSkew says that the local cloud runs another build than this binary.
type BuildSkew struct {
	Home     string
	Endpoint string
	Cloud    string // the build the cloud reports; "" for a cloud from before builds were reported
	Self     string // this binary's build
}

func (s BuildSkew) String() string {
	cloud := s.Cloud
	if cloud == "" {
		cloud = "an older build that does not report its identity"
	}
	return fmt.Sprintf("the local flexpg cloud at %s (home %s) was started by build %s; this binary is build %s",
		s.Endpoint, s.Home, cloud, s.Self)
}

// BusyError is returned by Ensure when the local cloud runs another build but is not restarted, because
// operations are running on it.
type BusyError struct {
	Skew BuildSkew
	// Running are the running operations; empty when the cloud is too old to list them, then Count says
	// how many there are.
	Running []model.Operation
	Count   int
}

func (e *BusyError) Error() string {
	var b strings.Builder
	b.WriteString(e.Skew.String())
	fmt.Fprintf(&b, ". It is not restarted from this binary now, because %d operation(s) are running on it", e.Count)
	for i, op := range e.Running {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s of %s (operation %s", sep, op.Kind, op.ResourceID, op.ID)
		if op.Step != "" {
			fmt.Fprintf(&b, ", step %s", op.Step)
		}
		b.WriteString(")")
	}
	b.WriteString(". Wait for them to finish and retry, or restart the cloud yourself with " +
		"`terraform-provider-flexpg cloud down` and then `terraform-provider-flexpg cloud up` from this binary " +
		"(running operations resume after the restart; servers keep their data)")
	return b.String()
}

// runningOperations lists the operations running on the cloud of info. A cloud from before GET
// /v1/operations cannot name them, but its status still counts them.
func runningOperations(ctx context.Context, info Info) ([]model.Operation, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c := client.New(info.Endpoint, info.Token)
	ops, err := c.ListOperations(ctx, model.OperationRunning)
	if err == nil {
		return ops, len(ops), nil
	}
	if !errors.Is(err, client.ErrNotFound) {
		return nil, 0, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, 0, err
	}
	return nil, st.RunningOperations, nil
}
