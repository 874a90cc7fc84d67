package cli

import (
	"context"
	"fmt"

	"github.com/docker/docker/client"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/images"
)

func cmdImages(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "build" {
		return usagef("usage: images build [-version 15|17|all] [-force]")
	}
	fs := flags(e, "images build")
	version := fs.String("version", "all", "PostgreSQL major version to build: 15, 17 or all")
	force := fs.Bool("force", false, "rebuild even if a current image exists")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	majors := images.Majors()
	if *version != "all" {
		majors = []string{*version}
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	progress := func(format string, a ...any) { fmt.Fprintf(e.stdout, format+"\n", a...) }
	for _, m := range majors {
		build := images.Ensure
		if *force {
			build = images.Build
		}
		ref, err := build(ctx, cli, m, progress)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s ready\n", ref)
	}
	return nil
}
