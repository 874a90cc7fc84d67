package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// KindServerRestore creates a server from another's backups (create_mode PointInTimeRestore or GeoRestore).
const KindServerRestore = "server.restore"

// restoreTimeout bounds the replay of the archive up to the target.
const restoreTimeout = 15 * time.Minute

// planServerRestore: the new server's port and image, the backup storage of its region; the source's WAL
// sealed into the archive (a running source: so a target up to the request is exact), the full backup to
// start from chosen; an empty volume filled with that backup, then PostgreSQL recovering from the archive
// up to the target and promoted onto a timeline of its own; the admin password if one was given; the
// databases it holds recorded; the endpoint. A failure removes everything, as a failed create does.
func (c *Controller) planServerRestore(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: []step{
			{"reservePort", func(ctx context.Context, r *run) error { return c.reservePort(name) }},
			{"image", func(ctx context.Context, r *run) error { _, err := c.serverImage(ctx, name); return err }},
			{"backupStorage", func(ctx context.Context, r *run) error { return c.serverBackupStorage(ctx, name) }},
			{"sealSource", func(ctx context.Context, r *run) error { return c.sealRestoreSource(ctx, name) }},
			{"chooseBackup", func(ctx context.Context, r *run) error { return c.chooseBackup(ctx, name) }},
			{"volume", func(ctx context.Context, r *run) error { return c.emptyVolume(ctx, name) }},
			{"restoreCopy", func(ctx context.Context, r *run) error { return c.restoreCopy(ctx, name) }},
			{"container", func(ctx context.Context, r *run) error { return c.ensurePrimaryContainer(ctx, name) }},
			{"recover", func(ctx context.Context, r *run) error { return c.recoverToTarget(ctx, name) }},
			{"open", func(ctx context.Context, r *run) error { return c.openRestored(ctx, name) }},
			{"adminPassword", func(ctx context.Context, r *run) error { return c.restoredAdminPassword(ctx, r, name) }},
			{"databases", func(ctx context.Context, r *run) error { return c.recordRestoredDatabases(ctx, name) }},
			{"endpoint", func(ctx context.Context, r *run) error { return c.openEndpoint(ctx, name) }},
		},
		rollback: c.teardownSteps(name),
		finish: func(tx *store.Tx, r *run) error {
			s, err := tx.GetServer(name)
			if err != nil {
				return err
			}
			s.Phase = store.PhaseReady
			if err := tx.PutServer(s); err != nil {
				return err
			}
			return tx.UpdateArchive(s.ArchiveID, func(a *store.Archive) error { a.OpenPeriod(c.now()); return nil })
		},
		abandon:   func(tx *store.Tx, r *run) error { return forgetServerAndArchive(tx, name) },
		succeeded: c.KickBackups, // its first full backup, right away
	}, nil
}

// serverBackupStorage makes the backup storage of the server's region ready.
func (c *Controller) serverBackupStorage(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	return c.ensureBackupStorage(ctx, s.Spec.Location, s.Spec.Version)
}

// sealRestoreSource seals the source's archive when the source runs. A geo-restore reads the pair's copy,
// which the source's WAL reaches only after spec.GeoCopyDelay: sealing would change nothing there.
func (c *Controller) sealRestoreSource(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	if s.Restore == nil {
		return fmt.Errorf("server %s is not being restored", name)
	}
	if s.Restore.Geo {
		return nil
	}
	src, err := c.getServer(s.Restore.Source)
	if errors.Is(err, store.ErrNotFound) || err == nil && src.ArchiveID != s.Restore.Archive {
		return nil // the source was deleted: its archive was sealed then
	}
	if err != nil {
		return err
	}
	if err := c.sealArchive(ctx, src.Spec.Name); err != nil {
		// The archive then holds what archive_timeout shipped; recovery replays it to its end if the target
		// lies beyond (recoverToTarget).
		c.log.Warn("the source's archive could not be sealed; restoring from what it holds", "source", src.Spec.Name, "err", err)
	}
	return nil
}

// chooseBackup picks the newest full backup that completed at or before the target (among those copied to
// the pair, for a geo-restore), and decides whether recovery stops at the target or at the archive's end: a
// deleted source's archive ends at its deletion, a geo copy at its horizon.
func (c *Controller) chooseBackup(ctx context.Context, name string) error {
	return c.store.Update(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		if err != nil {
			return err
		}
		a, err := tx.GetArchive(s.Restore.Archive)
		if err != nil {
			return fmt.Errorf("the archive of %s: %w", s.Restore.Source, err)
		}
		b, ok := newestBackupBefore(a, s.Restore.Target, s.Restore.Geo)
		if !ok {
			return &OpError{Code: model.CodeConflict, Message: fmt.Sprintf(
				"server %s has no full backup completed before %s any more (retention removed it)", s.Restore.Source,
				s.Restore.Target.Format(time.RFC3339Nano))}
		}
		s.Restore.Backup = b.Name
		s.Restore.ToEnd = a.Deleted != nil && !s.Restore.Target.Before(*a.Deleted) ||
			s.Restore.Geo && !s.Restore.Target.Before(a.GeoThrough)
		return tx.PutServer(s)
	})
}

// newestBackupBefore is the newest completed backup at or before t, one copied to the pair for geo.
func newestBackupBefore(a store.Archive, t time.Time, geo bool) (store.FullBackup, bool) {
	var found store.FullBackup
	ok := false
	for _, b := range a.Completed() {
		if b.Completed.After(t) || geo && !b.GeoCopied {
			continue
		}
		if !ok || b.Completed.After(found.Completed) {
			found, ok = b, true
		}
	}
	return found, ok
}

// restoreCopy fills the new server's volume with the chosen full backup. A copy that finished before a crash
// of the cloud is kept.
func (c *Controller) restoreCopy(ctx context.Context, name string) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	in, ok := s.Primary()
	if !ok {
		return fmt.Errorf("server %s has no instance recorded", name)
	}
	cmd, err := postgres.RestoreCopyCommand(s.Restore.Archive, s.Restore.Backup)
	if err != nil {
		return err
	}
	err = c.runJob(ctx, name, *in, cmd)
	if errors.Is(err, postgres.ErrDataExists) {
		return nil
	}
	return err
}

// recoverToTarget starts the server and waits until recovery has reached the target and promoted it. When
// recovery ends because the archive ends before any commit after the target (a source that stopped, died or
// went silent before the target), PostgreSQL refuses to open; the restore then replays the whole archive,
// which holds only commits at or before the target.
func (c *Controller) recoverToTarget(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, restoreTimeout)
	defer cancel()
	in, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	if err := c.cfg.Runtime.StartContainer(ctx, in.Container); err != nil {
		return fmt.Errorf("start container: %w", err)
	}
	tick := time.NewTicker(exitPollInterval)
	defer tick.Stop()
	for {
		info, err := c.cfg.Runtime.InspectContainer(ctx, in.Container)
		if err != nil {
			return err
		}
		if !info.Running {
			if err := c.retryToEnd(ctx, name, in, c.startFailure(ctx, in.Container, info.ExitCode)); err != nil {
				return err
			}
			continue
		}
		if done, err := c.promotedAfterRecovery(ctx, name, in); err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server %s did not finish recovering from the archive within %s: %w", name, restoreTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// retryToEnd handles a recovery that stopped: a missed target restarts it without one, anything else fails.
func (c *Controller) retryToEnd(ctx context.Context, name string, in store.Instance, sf *startFailure) error {
	s, err := c.getServer(name)
	if err != nil {
		return err
	}
	if s.Restore.ToEnd || !postgres.RecoveryTargetMissed(sf.reason) {
		return fmt.Errorf("restore of server %s: %w", name, sf)
	}
	c.log.Info("the archive ends before a commit after the target; replaying all of it", "server", name,
		"target", s.Restore.Target)
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(u *store.Server) { u.Restore.ToEnd = true })
	}); err != nil {
		return err
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st, in); err != nil {
		return err
	}
	return c.cfg.Runtime.StartContainer(ctx, in.Container)
}

// promotedAfterRecovery reports whether the recovering server has opened for writes. A server that does
// not accept a session yet (still before its consistent point) is not done.
func (c *Controller) promotedAfterRecovery(ctx context.Context, name string, in store.Instance) (bool, error) {
	ip, err := c.containerAddr(ctx, name, in)
	if err != nil {
		return false, nil
	}
	tlsConfig, err := c.managementTLS(name)
	if err != nil {
		return false, err
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	sess, err := c.cfg.Postgres.Connect(pctx, ip, tlsConfig)
	if err != nil {
		return false, nil
	}
	defer func() { _ = sess.Close(context.WithoutCancel(ctx)) }()
	st, err := sess.Status(pctx)
	if err != nil {
		return false, nil
	}
	return !st.InRecovery, nil
}

// openRestored records the restore done, so the server's files archive into its own archive from now on, and
// reloads them; it records the instance's address as a start does.
func (c *Controller) openRestored(ctx context.Context, name string) error {
	if err := c.store.Update(func(tx *store.Tx) error {
		return updateServer(tx, name, func(s *store.Server) { s.Restore.Done = true })
	}); err != nil {
		return err
	}
	in, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	if err := c.recordAddress(ctx, name, in); err != nil {
		return err
	}
	st, err := c.loadServerState(name)
	if err != nil {
		return err
	}
	if err := c.writeFiles(ctx, st, in); err != nil {
		return err
	}
	return c.withSession(ctx, name, func(s Session) error { return s.Reload(ctx) })
}

// restoredAdminPassword sets the admin password when the restore request gave one; otherwise the restored
// server keeps its source's (it is in the restored data).
func (c *Controller) restoredAdminPassword(ctx context.Context, r *run, name string) error {
	var p CreatePayload
	if err := r.payload(&p); err != nil || p.Verifier == "" {
		return err
	}
	login, err := c.adminLogin(name)
	if err != nil {
		return err
	}
	return c.withSession(ctx, name, func(s Session) error { return s.SetPassword(ctx, login, p.Verifier) })
}

// recordRestoredDatabases records the databases the restored server holds, with the source's charset and
// collation where the source still records them.
func (c *Controller) recordRestoredDatabases(ctx context.Context, name string) error {
	var names []string
	if err := c.withSession(ctx, name, func(s Session) error {
		var err error
		names, err = s.DatabaseNames(ctx)
		return err
	}); err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		if err != nil {
			return err
		}
		known := map[string]model.Database{}
		if dbs, err := tx.ListDatabases(s.Restore.Source); err == nil {
			for _, d := range dbs {
				known[d.Database.Name] = d.Database
			}
		}
		for _, n := range names {
			d, ok := known[n]
			if !ok {
				d = model.Database{Name: n, Charset: spec.DefaultCharset, Collation: spec.DefaultCollation}
			}
			d.ServerName, d.ID = name, spec.DatabaseID(name, n)
			if err := tx.PutDatabase(store.Database{Database: d, Server: name, Ready: true}); err != nil {
				return err
			}
		}
		return nil
	})
}
