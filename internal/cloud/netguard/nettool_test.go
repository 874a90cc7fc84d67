package netguard

import (
	"context"
	"path/filepath"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/docker"
	"github.com/flexpg/terraform-provider-flexpg/internal/testimage"
)

// nettoolRef is the test image: the static program in testdata/nettool (listen and dial modes) as /nettool.
const nettoolRef = "flexpg/nettool:latest"

func ensureNettool(ctx context.Context, rt *docker.Runtime) error {
	return testimage.Ensure(ctx, rt.Client(), nettoolRef, filepath.Join("testdata", "nettool"), "nettool")
}
