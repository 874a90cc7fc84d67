package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
)

// jobPollInterval is how often a job's container is checked for having exited.
const jobPollInterval = 50 * time.Millisecond

// jobLogTail is how much of a failed job's output its error quotes.
const jobLogTail = 20

// runJob runs cmd (postgres.BaseBackupCommand or RewindCommand) in a throwaway container of the server's
// image on the instance's data volume and network, with the replication certificate, the CA and the
// instance's rendered files in place (the commands' contract, see postgres/commands.go). The container is
// named after the instance, so a re-run after a crash of the cloud replaces the one the crash left.
func (c *Controller) runJob(ctx context.Context, name string, in store.Instance, cmd []string) error {
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	pl, err := c.placement(ctx, st.server)
	if err != nil {
		return err
	}
	image, err := c.serverImage(ctx, name)
	if err != nil {
		return err
	}
	files, err := c.instanceFiles(ctx, st, in)
	if err != nil {
		return err
	}
	job := in.Container + "-job"
	if err := c.cfg.Runtime.RemoveContainer(ctx, job); err != nil {
		return err
	}
	labels := c.labels(serverResource(name), "job")
	labels[LabelInstance] = in.Name
	if _, err := c.cfg.Runtime.CreateContainer(ctx, runtime.ContainerSpec{
		Name: job, Image: image, Env: []string{postgres.ExecEnv}, Cmd: cmd, Labels: labels,
		Network: pl.network, Mounts: []runtime.Mount{{Volume: in.Volume, Target: postgres.DataVolume}, c.backupMount(st.server)},
	}); err != nil {
		return fmt.Errorf("create job container: %w", err)
	}
	defer func() { _ = c.cfg.Runtime.RemoveContainer(context.WithoutCancel(ctx), job) }()
	if err := c.cfg.Runtime.CopyFiles(ctx, job, files); err != nil {
		return fmt.Errorf("copy files into the job container: %w", err)
	}
	if err := c.cfg.Runtime.StartContainer(ctx, job); err != nil {
		return fmt.Errorf("start job container: %w", err)
	}
	code, err := c.awaitExit(ctx, job)
	if err != nil {
		return err
	}
	if jerr := postgres.ExitError(code); jerr != nil {
		var out bytes.Buffer
		_ = c.cfg.Runtime.Logs(ctx, job, jobLogTail, false, &out)
		return fmt.Errorf("%s on the %s instance: %w: %s", cmd[0], in.Role, jerr, strings.TrimSpace(out.String()))
	}
	return nil
}

// awaitExit waits for a container to stop running and returns its exit code.
func (c *Controller) awaitExit(ctx context.Context, container string) (int, error) {
	tick := time.NewTicker(jobPollInterval)
	defer tick.Stop()
	for {
		info, err := c.cfg.Runtime.InspectContainer(ctx, container)
		if err != nil {
			return 0, err
		}
		if !info.Running && info.Status != "created" {
			return info.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, errors.Join(fmt.Errorf("job %s did not finish", container), ctx.Err())
		case <-tick.C:
		}
	}
}
