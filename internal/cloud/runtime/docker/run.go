package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// cleanupTimeout bounds the removal of a Run container after its caller's context has ended.
const cleanupTimeout = 30 * time.Second

// Run creates and starts a throwaway container, streams its output to stdout and stderr (nil discards),
// feeds it stdin when not nil, waits for it to exit, removes it and returns its exit code. Cancelling ctx
// kills and removes the container.
func (r *Runtime) Run(ctx context.Context, spec runtime.ContainerSpec, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	spec.AutoRemove = false // we remove it ourselves, after reading its exit code
	id, err := r.createRunContainer(ctx, spec, stdin != nil)
	if err != nil {
		return 0, err
	}
	defer r.removeDetached(ctx, id)

	// Attach and register the wait before starting, so neither early output nor a quick exit is missed.
	hijack, err := r.cli.ContainerAttach(ctx, id, container.AttachOptions{
		Stream: true, Stdin: stdin != nil, Stdout: true, Stderr: true,
	})
	if err != nil {
		return 0, classify(err, "attach to run container %q", spec.Name)
	}
	waitC, waitErrC := r.cli.ContainerWait(ctx, id, container.WaitConditionNextExit)
	streamed := make(chan error, 1)
	go func() { streamed <- pump(ctx, hijack, stdin, orDiscard(stdout), orDiscard(stderr)) }()

	if err := r.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		hijack.Close()
		return 0, classify(err, "start run container %q", spec.Name)
	}
	code, err := waitExit(ctx, waitC, waitErrC)
	if err != nil {
		hijack.Close()
		return 0, fmt.Errorf("docker: run container %q: %w", spec.Name, err)
	}
	// The output stream ends when the container's process has exited; wait for the last bytes.
	if err := <-streamed; err != nil && !errors.Is(err, io.EOF) {
		return code, fmt.Errorf("docker: run container %q output: %w", spec.Name, err)
	}
	return code, nil
}

func (r *Runtime) createRunContainer(ctx context.Context, spec runtime.ContainerSpec, withStdin bool) (string, error) {
	cfg := containerConfig(spec)
	cfg.AttachStdout, cfg.AttachStderr = true, true
	if withStdin {
		// StdinOnce closes the process's stdin when our attach closes its write side.
		cfg.AttachStdin, cfg.OpenStdin, cfg.StdinOnce = true, true, true
	}
	res, err := r.cli.ContainerCreate(ctx, cfg, hostConfig(spec), networkingConfig(spec), nil, spec.Name)
	if err != nil {
		return "", classify(err, "create run container %q", spec.Name)
	}
	return res.ID, nil
}

func waitExit(ctx context.Context, waitC <-chan container.WaitResponse, errC <-chan error) (int, error) {
	select {
	case res := <-waitC:
		if res.Error != nil && res.Error.Message != "" {
			return int(res.StatusCode), errors.New(res.Error.Message)
		}
		return int(res.StatusCode), nil
	case err := <-errC:
		return 0, classify(err, "wait for exit")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// removeDetached removes a container even when ctx is already cancelled (force removal kills it first).
func (r *Runtime) removeDetached(ctx context.Context, id string) {
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = r.RemoveContainer(cleanupCtx, id)
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
