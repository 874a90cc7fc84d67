package docker

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// execPollInterval is how often Exec re-reads an exec whose output ended before the engine recorded its exit.
const execPollInterval = 20 * time.Millisecond

// Exec runs a command inside a running container as user (empty: the image's user) and collects its output
// and exit code. stdin, when not nil, is sent to the command and then closed.
func (r *Runtime) Exec(ctx context.Context, name string, user string, cmd []string, stdin io.Reader) (runtime.ExecResult, error) {
	created, err := r.cli.ContainerExecCreate(ctx, name, container.ExecOptions{
		User:         user,
		Cmd:          cmd,
		AttachStdin:  stdin != nil,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return runtime.ExecResult{}, classify(err, "exec in container %q", name)
	}
	hijack, err := r.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return runtime.ExecResult{}, classify(err, "attach to exec in container %q", name)
	}
	var stdout, stderr bytes.Buffer
	if err := pump(ctx, hijack, stdin, &stdout, &stderr); err != nil {
		return runtime.ExecResult{}, classify(err, "read exec output in container %q", name)
	}
	code, err := r.execExitCode(ctx, created.ID)
	if err != nil {
		return runtime.ExecResult{}, classify(err, "exec in container %q", name)
	}
	return runtime.ExecResult{ExitCode: code, Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}, nil
}

// pump feeds stdin to a hijacked connection and demultiplexes its output until the stream ends. The
// connection ignores ctx once established, so cancelling ctx closes it.
func pump(ctx context.Context, hijack types.HijackedResponse, stdin io.Reader, stdout, stderr io.Writer) error {
	defer hijack.Close()
	stop := context.AfterFunc(ctx, hijack.Close)
	defer stop()
	if stdin != nil {
		go func() {
			_, _ = io.Copy(hijack.Conn, stdin)
			_ = hijack.CloseWrite()
		}()
	}
	_, err := stdcopy.StdCopy(stdout, stderr, hijack.Reader)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// execExitCode waits until the engine has recorded the exec's exit and returns its code.
func (r *Runtime) execExitCode(ctx context.Context, execID string) (int, error) {
	ticker := time.NewTicker(execPollInterval)
	defer ticker.Stop()
	for {
		st, err := r.cli.ContainerExecInspect(ctx, execID)
		if err != nil {
			return 0, err
		}
		if !st.Running {
			return st.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-ticker.C:
		}
	}
}

// Logs writes the container's stdout and stderr, interleaved, to w: the last tail lines (all when tail
// is 0 or less), and with follow keeps streaming until the container stops or ctx ends.
func (r *Runtime) Logs(ctx context.Context, name string, tail int, follow bool, w io.Writer) error {
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: follow, Tail: "all"}
	if tail > 0 {
		opts.Tail = strconv.Itoa(tail)
	}
	rc, err := r.cli.ContainerLogs(ctx, name, opts)
	if err != nil {
		return classify(err, "logs of container %q", name)
	}
	defer rc.Close()
	if _, err := stdcopy.StdCopy(w, w, rc); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return classify(err, "read logs of container %q", name)
	}
	return nil
}
