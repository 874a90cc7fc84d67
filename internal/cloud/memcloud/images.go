package memcloud

import (
	"context"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime/fake"
)

// imageRepository names the images this cloud "builds": no real image exists behind them.
const imageRepository = "memcloud/postgres"

// images is the image source: an image is built at once, by adding it to the in-memory engine, so the
// create steps that need it find it there as they would in Docker.
type images struct{ rt *fake.Runtime }

func (i images) Ensure(_ context.Context, major string) (string, error) {
	ref := imageRepository + ":" + major
	i.rt.AddImage(ref)
	return ref, nil
}
