package docker

import (
	"context"
	"path/filepath"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/testimage"
)

// testboxRef is the test image: one static Go binary (testdata/testbox) as /testbox.
const testboxRef = "flexpg/testbox:latest"

var (
	testboxOnce sync.Once
	testboxErr  error
)

// ensureTestbox makes sure the engine holds the current testbox image, building it at most once per run.
func ensureTestbox(ctx context.Context, r *Runtime) error {
	testboxOnce.Do(func() {
		testboxErr = testimage.Ensure(ctx, r.cli, testboxRef, filepath.Join("testdata", "testbox"), "testbox")
	})
	return testboxErr
}
