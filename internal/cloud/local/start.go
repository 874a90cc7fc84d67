package local

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// StartDetached starts `<exe> cloud serve` in its own session, so it outlives the process that started it
// (Terraform runs the provider only for one command), and waits until it answers.
func StartDetached(ctx context.Context, exe, home, addr string) (Info, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return Info{}, err
	}
	logFile, err := os.OpenFile(LogPath(home), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return Info{}, err
	}
	defer logFile.Close()
	args := []string{"cloud", "serve"}
	if addr != "" {
		args = append(args, "--addr", addr)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "FLEXPG_HOME="+home)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return Info{}, fmt.Errorf("start the local cloud: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return waitAnswering(ctx, home, exited)
}

// waitAnswering polls until the cloud in home answers, the process exits, or 60 s pass.
func waitAnswering(ctx context.Context, home string, exited <-chan error) (Info, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if info, err := Probe(ctx, home); err == nil {
			return info, nil
		}
		select {
		case err := <-exited:
			return Info{}, fmt.Errorf("the local cloud exited before answering (%v); see %s", err, LogPath(home))
		case <-ctx.Done():
			return Info{}, fmt.Errorf("the local cloud did not answer within 60 s; see %s", LogPath(home))
		case <-tick.C:
		}
	}
}
