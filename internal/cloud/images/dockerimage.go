package images

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/jsonmessage"
)

// inspectImage returns the image, or found=false when the engine does not have it.
func inspectImage(ctx context.Context, cli *client.Client, ref string) (image.InspectResponse, bool, error) {
	info, err := cli.ImageInspect(ctx, ref)
	if errdefs.IsNotFound(err) {
		return image.InspectResponse{}, false, nil
	}
	if err != nil {
		return image.InspectResponse{}, false, fmt.Errorf("images: inspect %s: %w", ref, err)
	}
	return info, true, nil
}

// createImage turns the root file system into the tagged image in two steps. The import makes an untagged
// one-layer image; a commit of a never-started container from it then applies the full run configuration
// and the tag. The detour exists because the engine's import accepts only some Dockerfile instructions
// (not STOPSIGNAL, on engines of API 1.41); the commit adds an empty layer and nothing else.
func createImage(ctx context.Context, cli *client.Client, root, ref string, cfg *container.Config) error {
	baseID, err := importRoot(ctx, cli, root)
	if err != nil {
		return err
	}
	if err := commitConfig(ctx, cli, baseID, ref, cfg); err != nil {
		// Nothing refers to the imported layer yet; do not leave 400 MB behind.
		_, _ = cli.ImageRemove(context.WithoutCancel(ctx), baseID, image.RemoveOptions{})
		return err
	}
	return nil
}

// importRoot streams the tree under root into the engine and returns the new image's ID.
func importRoot(ctx context.Context, cli *client.Client, root string) (string, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeRootTar(root, pw)) }()
	defer pr.Close() // stops the writer if the engine gives up early

	resp, err := cli.ImageImport(ctx, image.ImportSource{Source: pr, SourceName: "-"}, "",
		image.ImportOptions{Message: "flexpg: Debian root file system"})
	if err != nil {
		return "", fmt.Errorf("images: import root file system: %w", err)
	}
	defer resp.Close()
	return importedID(resp)
}

// importedID reads the engine's progress stream, which reports failure in-band rather than as an HTTP
// status, and ends with the new image's ID as its status.
func importedID(r io.Reader) (string, error) {
	dec := json.NewDecoder(r)
	id := ""
	for {
		var msg jsonmessage.JSONMessage
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("images: read import response: %w", err)
		}
		if msg.Error != nil {
			return "", fmt.Errorf("images: import: %w", msg.Error)
		}
		if s := strings.TrimSpace(msg.Status); strings.HasPrefix(s, "sha256:") {
			id = s
		}
	}
	if id == "" {
		return "", errors.New("images: import finished without reporting an image ID")
	}
	return id, nil
}

// commitConfig tags baseID's file system with cfg as ref, by committing a container that is never started.
func commitConfig(ctx context.Context, cli *client.Client, baseID, ref string, cfg *container.Config) (err error) {
	created, err := cli.ContainerCreate(ctx, &container.Config{
		Image:      baseID,
		Entrypoint: cfg.Entrypoint, // the engine refuses a container with nothing to run
		Labels:     map[string]string{labelManaged: "true"},
	}, nil, nil, nil, "")
	if err != nil {
		return fmt.Errorf("images: create container to commit %s: %w", ref, err)
	}
	defer func() {
		rerr := cli.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true})
		if rerr != nil && !errdefs.IsNotFound(rerr) {
			err = errors.Join(err, fmt.Errorf("images: remove commit container: %w", rerr))
		}
	}()
	_, err = cli.ContainerCommit(ctx, created.ID, container.CommitOptions{
		Reference: ref,
		Comment:   "flexpg: run configuration",
		Config:    cfg,
	})
	if err != nil {
		return fmt.Errorf("images: commit %s: %w", ref, err)
	}
	return nil
}

// removeStale deletes the untagged images earlier builds of major left behind (with their untagged
// parents). An image that containers still use is kept (a conflict is not an error) and goes on a later
// build: it costs disk, not correctness.
func removeStale(ctx context.Context, cli *client.Client, major string) error {
	stale, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(
		filters.Arg("dangling", "true"),
		filters.Arg("label", labelManaged+"=true"),
		filters.Arg("label", labelMajor+"="+major),
	)})
	if err != nil {
		return fmt.Errorf("images: list stale images: %w", err)
	}
	var errs []error
	for _, img := range stale {
		_, err := cli.ImageRemove(ctx, img.ID, image.RemoveOptions{PruneChildren: true})
		if err != nil && !errdefs.IsConflict(err) && !errdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("images: remove stale image %s: %w", img.ID, err))
		}
	}
	return errors.Join(errs...)
}
