package fake

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// Exec answers through OnExec for a running, unpaused container (ErrConflict otherwise). stdin is not read.
func (f *Runtime) Exec(ctx context.Context, container string, user string, cmd []string, stdin io.Reader) (runtime.ExecResult, error) {
	hook, name, err := f.prepareExec(ctx, container, cmd)
	if err != nil {
		return runtime.ExecResult{}, err
	}
	if hook == nil {
		return runtime.ExecResult{}, nil
	}
	// Without the lock: the hook may call back into the fake, e.g. to stop the container.
	return hook(name, append([]string(nil), cmd...))
}

func (f *Runtime) prepareExec(ctx context.Context, container string, cmd []string) (func(string, []string) (runtime.ExecResult, error), string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "Exec", append([]string{container}, cmd...)...); err != nil {
		return nil, "", err
	}
	c, err := f.mustContainer(container)
	if err != nil {
		return nil, "", err
	}
	if !c.running || c.paused {
		return nil, "", stateConflict("container", container, "is not running")
	}
	return f.OnExec, c.spec.Name, nil
}

// Logs writes the container's log (see SetLogs): the last tail lines, all when tail is 0 or less. follow
// does not wait for more output.
func (f *Runtime) Logs(ctx context.Context, container string, tail int, follow bool, w io.Writer) error {
	data, err := f.logsOf(ctx, container)
	if err != nil {
		return err
	}
	_, err = w.Write(lastLines(data, tail))
	return err
}

func (f *Runtime) logsOf(ctx context.Context, container string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "Logs", container); err != nil {
		return nil, err
	}
	c, err := f.mustContainer(container)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(c.logs), nil
}

// lastLines returns the last n lines of data (all of it when n <= 0).
func lastLines(data []byte, n int) []byte {
	if n <= 0 {
		return data
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return []byte(strings.Join(lines, ""))
}

// Run checks the image and network like CreateContainer, then answers through OnRun (exit 0 without it).
// Nothing is left behind. It reports create, start, die and destroy, as the throwaway container of the
// Docker runtime does.
func (f *Runtime) Run(ctx context.Context, spec runtime.ContainerSpec, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	hook, id, err := f.prepareRun(ctx, spec)
	if err != nil {
		return 0, err
	}
	code := 0
	if hook != nil {
		code, err = hook(cloneSpec(spec), stdin, orDiscard(stdout), orDiscard(stderr))
	}
	f.mu.Lock()
	f.emitFor(id, spec.Name, spec.Labels, runtime.ActionDie, code)
	f.emitFor(id, spec.Name, spec.Labels, runtime.ActionDestroy, 0)
	f.mu.Unlock()
	return code, err
}

func (f *Runtime) prepareRun(ctx context.Context, spec runtime.ContainerSpec) (func(runtime.ContainerSpec, io.Reader, io.Writer, io.Writer) (int, error), string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hook, err := f.checkRun(ctx, spec)
	if err != nil {
		return nil, "", err
	}
	id := f.newID("container", spec.Name)
	f.emitFor(id, spec.Name, spec.Labels, runtime.ActionCreate, 0)
	f.emitFor(id, spec.Name, spec.Labels, runtime.ActionStart, 0)
	return hook, id, nil
}

// checkRun records the call and checks what Run needs. Callers hold f.mu.
func (f *Runtime) checkRun(ctx context.Context, spec runtime.ContainerSpec) (func(runtime.ContainerSpec, io.Reader, io.Writer, io.Writer) (int, error), error) {
	if err := f.enter(ctx, "Run", spec.Name); err != nil {
		return nil, err
	}
	if !f.ImageRefs[spec.Image] {
		return nil, notFound("image", spec.Image)
	}
	if spec.Network != "" && spec.Network != runtime.NoNetwork {
		if _, ok := f.network(spec.Network); !ok {
			return nil, notFound("network", spec.Network)
		}
	}
	if spec.Name != "" {
		if _, ok := f.containers[spec.Name]; ok {
			return nil, stateConflict("container", spec.Name, "name is already in use")
		}
	}
	return f.OnRun, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
