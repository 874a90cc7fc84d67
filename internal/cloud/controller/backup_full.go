package controller

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// KindServerBackup takes a full backup of a server. It runs beside the server's other operations, without
// holding the server or waiting for them (the service takes backups without blocking management; see
// launch).
const KindServerBackup = "server.backup"

// BackupPayload names the backup an operation takes.
type BackupPayload struct {
	Archive string `json:"archive"`
	Name    string `json:"name"`
}

// backupName names a full backup by the cloud time it starts at.
func backupName(at time.Time) string {
	return "backup_" + strings.ReplaceAll(strings.ToLower(at.UTC().Format("20060102t150405.000z")), ".", "")
}

// planServerBackup: record the backup as started, take it with pg_basebackup on the primary into the
// region's backup storage, record it complete. A failure removes what the attempt wrote.
func (c *Controller) planServerBackup(op store.Operation) (plan, error) {
	var p BackupPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	name := op.Server
	return plan{
		steps: []step{
			{"fullBackup", func(ctx context.Context, r *run) error { return c.takeFullBackup(ctx, name, p) }},
		},
		rollback: []step{
			{"discardBackup", func(ctx context.Context, r *run) error { return c.discardBackup(ctx, name, p) }},
		},
		abandon: func(tx *store.Tx, r *run) error {
			return tx.UpdateArchive(p.Archive, func(a *store.Archive) error {
				a.Backups = withoutBackup(a.Backups, p.Name)
				return nil
			})
		},
	}, nil
}

// takeFullBackup runs the backup command in the primary's container and records what it reports.
func (c *Controller) takeFullBackup(ctx context.Context, name string, p BackupPayload) error {
	primary, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	cmd, err := postgres.FullBackupCommand(p.Archive, p.Name)
	if err != nil {
		return err
	}
	res, err := c.cfg.Runtime.Exec(ctx, primary.Container, postgresOSUser, cmd, nil)
	if err != nil {
		return fmt.Errorf("full backup of %s: %w", name, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("full backup of %s failed (exit %d): %s", name, res.ExitCode, strings.TrimSpace(string(res.Stderr)))
	}
	facts, err := postgres.ParseFullBackup(string(res.Stdout))
	if err != nil {
		return err
	}
	done := c.now()
	return c.store.Update(func(tx *store.Tx) error {
		return tx.UpdateArchive(p.Archive, func(a *store.Archive) error {
			b, ok := a.Backup(p.Name)
			if !ok {
				return fmt.Errorf("backup %s of server %s is not recorded", p.Name, name)
			}
			b.Completed, b.StartWAL, b.Timeline, b.SizeBytes = done, facts.StartWAL, facts.Timeline, facts.SizeBytes
			return nil
		})
	})
}

// discardBackup removes what a failed backup wrote to the storage.
func (c *Controller) discardBackup(ctx context.Context, name string, p BackupPayload) error {
	a, err := c.getArchive(p.Archive)
	if err != nil {
		return err
	}
	cmd, err := postgres.PruneArchiveCommand(p.Archive, "", []string{p.Name}, false)
	if err != nil {
		return err
	}
	return c.runStorageJob(ctx, a.Version, "discard "+p.Name, cmd, runtime.Mount{Volume: c.backupVolumeName(a.Region), Target: postgres.BackupVolume})
}

func withoutBackup(bs []store.FullBackup, name string) []store.FullBackup {
	var out []store.FullBackup
	for _, b := range bs {
		if b.Name != name {
			out = append(out, b)
		}
	}
	return out
}

func (c *Controller) getArchive(id string) (store.Archive, error) {
	var a store.Archive
	err := c.store.View(func(tx *store.Tx) error {
		var err error
		a, err = tx.GetArchive(id)
		return err
	})
	return a, err
}

// backupDue decides whether a server gets a full backup now: it must be a running primary (not a replica,
// not being restored, not failed or stopped) whose archive has no backup under way and is due one by the
// spec's schedule.
func backupDue(s store.Server, a store.Archive, now time.Time) bool {
	if s.Phase != store.PhaseReady || s.IsReplica() || s.Restore != nil && !s.Restore.Done {
		return false
	}
	for _, b := range a.Backups {
		if b.Completed.IsZero() {
			return false // one is being taken
		}
	}
	return a.Rules(false).BackupDue(now)
}

// startDueBackups records and launches a full backup of every server that is due one.
func (c *Controller) startDueBackups() error {
	var due []store.Operation
	now := c.now()
	err := c.store.Update(func(tx *store.Tx) error {
		servers, err := tx.ListServers()
		if err != nil {
			return err
		}
		for _, s := range servers {
			if s.ArchiveID == "" {
				continue
			}
			a, err := tx.GetArchive(s.ArchiveID)
			if err != nil {
				return err
			}
			a.RetentionDays = int64(cmp.Or(s.Spec.BackupRetentionDays, spec.DefaultBackupRetentionDays))
			if !backupDue(s, a, now) {
				if err := tx.PutArchive(a); err != nil {
					return err
				}
				continue
			}
			p := BackupPayload{Archive: a.ID, Name: backupName(now)}
			a.Backups = append(a.Backups, store.FullBackup{Name: p.Name, Started: now})
			if err := tx.PutArchive(a); err != nil {
				return err
			}
			body, err := json.Marshal(p)
			if err != nil {
				return err
			}
			op := c.NewOperation(KindServerBackup, serverResource(s.Spec.Name)+"/backups/"+p.Name, s.Spec.Name, body)
			if err := tx.PutOperation(op); err != nil {
				return err
			}
			due = append(due, op)
		}
		return nil
	})
	for _, op := range due {
		c.launch(op)
	}
	return err
}
