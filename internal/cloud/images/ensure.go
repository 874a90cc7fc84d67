package images

import (
	"context"
	"fmt"

	"github.com/docker/docker/client"
)

// Ensure makes sure the image for major exists and returns its reference. With FLEXPG_IMAGE_<major> set it
// only checks that the user's image is present. Otherwise it reuses flexpg/postgres:<major> when its
// recipe label matches the current recipe and builds it when missing or stale. Concurrent calls for the
// same major in one process build once.
func Ensure(ctx context.Context, cli *client.Client, major string, progress Progress) (string, error) {
	if err := checkMajor(major); err != nil {
		return "", err
	}
	if ref, ok := override(major); ok {
		progress.printf("using %s from %s", ref, overrideEnv(major))
		return ensureOverride(ctx, cli, major, ref)
	}
	unlock, err := lockMajor(ctx, major)
	if err != nil {
		return "", err
	}
	defer unlock()

	ref := localRef(major)
	want := recipeFor(major).hash()
	info, found, err := inspectImage(ctx, cli, ref)
	if err != nil {
		return "", err
	}
	if found && info.Config != nil && info.Config.Labels[labelRecipe] == want {
		progress.printf("using %s (recipe %s)", ref, want)
		return ref, nil
	}
	if found {
		progress.printf("%s was built from another recipe; rebuilding", ref)
	} else {
		progress.printf("%s not found; building it", ref)
	}
	return build(ctx, cli, major, progress)
}

func ensureOverride(ctx context.Context, cli *client.Client, major, ref string) (string, error) {
	_, found, err := inspectImage(ctx, cli, ref)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("images: image %s (from %s) is not present: pull it with `docker pull %s`, "+
			"or unset %s to let flexpg build %s from Debian packages", ref, overrideEnv(major), ref,
			overrideEnv(major), localRef(major))
	}
	return ref, nil
}
