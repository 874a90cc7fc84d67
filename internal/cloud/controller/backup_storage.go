package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// The service's backup storage is one cloud-owned volume per region (DESIGN §2), standing in for its
// zone-redundant storage: every server container of the region mounts it, archives its WAL into its own
// archive's directory there and writes its full backups there, and nothing of it counts against storage_mb.

// BackupStorageResource is the resource that owns a region's backup volume: the cloud itself.
func BackupStorageResource(cloudID, region string) string {
	return "/cloud/" + cloudID + "/backups/" + region
}

func (c *Controller) backupVolumeName(region string) string {
	return "flexpg-" + c.shortID() + "-backups-" + region
}

// backupStores remembers the regions whose storage this run of the cloud has prepared.
type backupStores struct {
	mu    sync.Mutex
	ready map[string]bool
	// run keeps two backup housekeeping passes (the loop's and an API call's) apart; kick wakes the loop.
	run  sync.Mutex
	kick chan struct{}
}

// ensureBackupStorage creates a region's backup volume and prepares it once per run of the cloud.
func (c *Controller) ensureBackupStorage(ctx context.Context, region, version string) error {
	c.backups.mu.Lock()
	defer c.backups.mu.Unlock()
	if c.backups.ready[region] {
		return nil
	}
	volume := c.backupVolumeName(region)
	if err := c.cfg.Runtime.CreateVolume(ctx, runtime.VolumeSpec{
		Name: volume, Labels: c.labels(BackupStorageResource(c.cfg.CloudID, region), "backups"),
	}); err != nil {
		return fmt.Errorf("create the backup storage of %s: %w", region, err)
	}
	if err := c.runStorageJob(ctx, version, "prepare", postgres.PrepareBackupStorageCommand(),
		runtime.Mount{Volume: volume, Target: postgres.BackupVolume}); err != nil {
		return fmt.Errorf("prepare the backup storage of %s: %w", region, err)
	}
	if c.backups.ready == nil {
		c.backups.ready = map[string]bool{}
	}
	c.backups.ready[region] = true
	return nil
}

// runStorageJob runs cmd as root in a throwaway container of a server image with no network and the given
// volumes: work on the backup storage that no server container can do (it may have none running). The
// image is the one of the PostgreSQL version whose files it handles.
func (c *Controller) runStorageJob(ctx context.Context, version, what string, cmd []string, mounts ...runtime.Mount) error {
	image, err := c.cfg.Images.Ensure(ctx, spec.ImageMajor(version))
	if err != nil {
		return err
	}
	var out bytes.Buffer
	code, err := c.cfg.Runtime.Run(ctx, runtime.ContainerSpec{
		Image: image, Env: []string{postgres.ExecEnv}, Cmd: cmd, Network: runtime.NoNetwork, Mounts: mounts,
		Labels: c.labels(BackupStorageResource(c.cfg.CloudID, "jobs"), "job"), AutoRemove: true,
	}, nil, &out, &out)
	if err != nil {
		return fmt.Errorf("backup storage %s: %w", what, err)
	}
	if code != 0 {
		return fmt.Errorf("backup storage %s exited with %d: %s", what, code, strings.TrimSpace(out.String()))
	}
	return nil
}

// backupMount is the mount of a server's region backup storage in its containers.
func (c *Controller) backupMount(s store.Server) runtime.Mount {
	return runtime.Mount{Volume: c.backupVolumeName(s.Spec.Location), Target: postgres.BackupVolume}
}

// archiveFiles are the archive and restore programs every server container holds.
func archiveFiles() []runtime.File {
	var out []runtime.File
	for path, content := range postgres.ArchiveScripts() {
		out = append(out, runtime.File{Path: path, Mode: 0o755, Content: content})
	}
	return out
}

// archiveSettings are an instance's archive and recovery settings: a server being restored recovers from
// its source's archive and archives nothing yet; a read replica archives nothing (seed 004); every other
// instance (the HA standby included) archives into its server's archive.
func archiveSettings(st serverState) (map[string]string, error) {
	s := st.server
	switch {
	case s.Restore != nil && !s.Restore.Done:
		out := postgres.NoArchiveSettings()
		rs, err := postgres.RestoreSettings(restoreTarget(*s.Restore))
		if err != nil {
			return nil, err
		}
		for k, v := range rs {
			out[k] = v
		}
		return out, nil
	case st.upstream != nil || s.ArchiveID == "":
		return postgres.NoArchiveSettings(), nil
	default:
		return postgres.ArchiveSettings(s.ArchiveID)
	}
}

// restoreTarget is where a restore's recovery stops.
func restoreTarget(r store.Restore) postgres.RestoreTarget {
	t := postgres.RestoreTarget{Archive: r.Archive, Time: r.WallTarget}
	if r.ToEnd {
		t.Time = time.Time{}
	}
	return t
}

// sealTimeout bounds the wait for the archive to receive the WAL of every commit so far.
const sealTimeout = 90 * time.Second

// sealArchive makes every commit of a running primary reach its archive (postgres.SealArchive) and waits
// until the archiver shipped it. A server that is not running has nothing more to ship: what it wrote
// before it stopped was sealed then (or, if it died, reached the archive as far as archive_timeout allows).
func (c *Controller) sealArchive(ctx context.Context, name string) error {
	running, err := c.primaryRunning(ctx, name)
	if err != nil && !errors.Is(err, runtime.ErrNotFound) {
		return err
	}
	if !running {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, sealTimeout)
	defer cancel()
	return c.withSession(ctx, name, func(s Session) error {
		point, err := s.SealArchive(ctx)
		if err != nil {
			return err
		}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			last, err := s.ArchivedFile(ctx)
			if err != nil {
				return err
			}
			if postgres.Archived(point.WALFile, last) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("the WAL of server %s did not reach its archive within %s (waiting for %s, last archived %q): %w",
					name, sealTimeout, point.WALFile, last, ctx.Err())
			case <-tick.C:
			}
		}
	})
}

// sealBeforeStop seals the archive of a server about to stop or be deleted, so a restore to any time
// before the stop is exact. It never keeps the stop from happening: a server whose WAL cannot be shipped
// now stops anyway, and its archive is then as complete as archive_timeout made it.
func (c *Controller) sealBeforeStop(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil || s.IsReplica() || s.ArchiveID == "" {
		return err
	}
	if err := c.sealArchive(ctx, name); err != nil {
		c.log.Warn("the archive could not be sealed before the stop; it holds what archive_timeout shipped", "server", name, "err", err)
	}
	return nil
}
