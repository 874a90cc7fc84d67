package cli

import (
	"testing"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
)

// TestClockNow: restore targets are on the cloud's clock, so the CLI shows it.
func TestClockNow(t *testing.T) {
	fakeCloud(t, map[string]any{"/v1/clock": model.Clock{Now: time.Date(2026, 12, 10, 6, 0, 1, 500_000_000, time.UTC)}})
	expectLines(t, []string{"clock", "now"}, []string{"cloud time is now 2026-12-10T06:00:01.500Z"})
	for _, args := range [][]string{{"clock"}, {"clock", "now", "x"}, {"clock", "advance"}, {"clock", "advance", "-1h"}} {
		if code, _, errOut := runCLI(args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
}
