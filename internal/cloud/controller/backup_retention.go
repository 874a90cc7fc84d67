package controller

import (
	"context"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// HousekeepBackups starts due full backups, prunes what retention let go of and copies backups to the
// regions' pairs. It runs with the housekeeping (after the clock is advanced too) and when kicked.
func (c *Controller) HousekeepBackups() {
	if c.ctx == nil || c.ctx.Err() != nil {
		return
	}
	c.backups.run.Lock()
	defer c.backups.run.Unlock()
	if err := c.startDueBackups(); err != nil {
		c.log.Error("schedule full backups", "err", err)
	}
	archives, err := c.listArchives()
	if err != nil {
		c.log.Error("list archives", "err", err)
		return
	}
	for _, a := range archives {
		if err := c.applyRetention(c.ctx, a); err != nil {
			c.log.Warn("backup retention", "archive", a.ID, "err", err)
		}
		if err := c.geoCopy(c.ctx, a); err != nil {
			c.log.Warn("geo-redundant backup copy", "archive", a.ID, "err", err)
		}
	}
}

// KickBackups makes the backup housekeeping run soon: a server was created, restored or promoted and needs
// its first full backup right away.
func (c *Controller) KickBackups() {
	select {
	case c.backups.kick <- struct{}{}:
	default:
	}
}

// backupLoop runs HousekeepBackups when kicked; Housekeep runs it on the housekeeping interval.
func (c *Controller) backupLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.backups.kick:
		}
		c.HousekeepBackups()
	}
}

func (c *Controller) listArchives() ([]store.Archive, error) {
	var out []store.Archive
	err := c.store.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.ListArchives()
		return err
	})
	return out, err
}

// applyRetention removes the full backups retention no longer keeps, the WAL before the oldest kept one,
// and, once a deleted server's backups have all expired, its whole archive, in its region and its pair.
func (c *Controller) applyRetention(ctx context.Context, a store.Archive) error {
	now := c.now()
	rules := a.Rules(false)
	completed := a.Completed()
	expired := rules.Expired(now)
	keep := rules.KeepBackups(now)
	var drop []string
	keepFrom := ""
	for i, b := range completed {
		if !keep[i] {
			drop = append(drop, b.Name)
		} else if keepFrom == "" {
			keepFrom = b.StartWAL
		}
	}
	if !expired && len(drop) == 0 {
		return nil
	}
	cmd, err := postgres.PruneArchiveCommand(a.ID, keepFrom, drop, expired)
	if err != nil {
		return err
	}
	for _, region := range archiveRegions(a) {
		if err := c.runStorageJob(ctx, a.Version, "retention of "+a.ID, cmd,
			runtime.Mount{Volume: c.backupVolumeName(region), Target: postgres.BackupVolume}); err != nil {
			return err
		}
	}
	c.log.Info("backup retention", "archive", a.ID, "server", a.Server, "dropped", drop, "archive_removed", expired)
	return c.store.Update(func(tx *store.Tx) error {
		if expired {
			return tx.DeleteArchive(a.ID)
		}
		return tx.UpdateArchive(a.ID, func(cur *store.Archive) error {
			for _, n := range drop {
				cur.Backups = withoutBackup(cur.Backups, n)
			}
			return nil
		})
	})
}

// archiveRegions are where an archive's files are: its region and, with geo-redundant backup, its pair.
func archiveRegions(a store.Archive) []string {
	if a.GeoRegion != "" {
		return []string{a.Region, a.GeoRegion}
	}
	return []string{a.Region}
}

// geoCopy copies to the pair what is spec.GeoCopyDelay old on the cloud's clock: WAL files and completed
// full backups. The pair's horizon (GeoThrough) then says up to when a geo-restore can see.
func (c *Controller) geoCopy(ctx context.Context, a store.Archive) error {
	if a.GeoRegion == "" {
		return nil
	}
	horizon := c.now().Add(-spec.GeoCopyDelay)
	if !horizon.After(a.GeoThrough) || a.Deleted != nil && a.GeoThrough.After(*a.Deleted) {
		return nil
	}
	var names []string
	for _, b := range a.Completed() {
		if !b.GeoCopied && !b.Completed.After(horizon) {
			names = append(names, b.Name)
		}
	}
	if err := c.ensureBackupStorage(ctx, a.GeoRegion, a.Version); err != nil {
		return err
	}
	cmd, err := postgres.GeoCopyCommand(a.ID, c.wallTime(horizon).Unix(), names)
	if err != nil {
		return err
	}
	if err := c.runStorageJob(ctx, a.Version, "geo copy of "+a.ID, cmd,
		runtime.Mount{Volume: c.backupVolumeName(a.Region), Target: postgres.BackupVolume},
		runtime.Mount{Volume: c.backupVolumeName(a.GeoRegion), Target: postgres.GeoVolume}); err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error {
		return tx.UpdateArchive(a.ID, func(cur *store.Archive) error {
			for _, n := range names {
				if b, ok := cur.Backup(n); ok {
					b.GeoCopied = true
				}
			}
			cur.GeoThrough = horizon
			return nil
		})
	})
}

// wallTime is the machine's time at which the cloud's clock showed t (see package clock).
func (c *Controller) wallTime(t time.Time) time.Time {
	if c.cfg.WallTime == nil {
		return t
	}
	return c.cfg.WallTime(t)
}
