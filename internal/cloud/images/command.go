package images

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// hostPath is the PATH for tools run on the host and in the chroot; debootstrap needs the sbin directories,
// which a user's PATH often lacks.
const hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// commandEnv is a clean environment for build tools: nothing of the caller's leaks into the image except
// proxy settings, which the mirror may need.
func commandEnv() []string {
	env := []string{
		"PATH=" + hostPath,
		"HOME=/root",
		"LC_ALL=C",
		"DEBIAN_FRONTEND=noninteractive",
		"DEBCONF_NONINTERACTIVE_SEEN=true",
	}
	for _, k := range []string{"http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// run executes a build command with its output appended to the build log. With chroot set the command
// runs inside the build root. On failure the error carries the tail of the log. When ctx ends, the whole
// process group is killed, since apt and dpkg fork helpers.
func (b *builder) run(ctx context.Context, chroot bool, name string, args ...string) error {
	log, err := os.OpenFile(b.logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("images: open build log: %w", err)
	}
	defer log.Close()
	fmt.Fprintf(log, "\n+ %s %s\n", name, strings.Join(args, " "))

	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = commandEnv()
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if chroot {
		cmd.SysProcAttr.Chroot = b.root
		cmd.Dir = "/"
	}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("images: %s: %w", name, ctx.Err())
		}
		return fmt.Errorf("images: %s %s failed: %w; last output:\n%s", name, strings.Join(args, " "), err, tailOf(b.logPath))
	}
	return nil
}
