package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// planServerCreate: reserve a host port, make sure the image exists, create the volume and container with
// rendered configuration, start it, create the admin role, open the host endpoint. A failure rolls every
// step back, so nothing is left half-created.
func (c *Controller) planServerCreate(op store.Operation) (plan, error) {
	name := op.Server
	return plan{
		steps: append([]step{
			{"reservePort", func(ctx context.Context, r *run) error { return c.reservePort(name) }},
			{"image", func(ctx context.Context, r *run) error { _, err := c.serverImage(ctx, name); return err }},
			{"volume", func(ctx context.Context, r *run) error { return c.takeVolume(ctx, name) }},
			{"backupStorage", func(ctx context.Context, r *run) error { return c.serverBackupStorage(ctx, name) }},
			{"container", func(ctx context.Context, r *run) error { return c.ensurePrimaryContainer(ctx, name) }},
			{"start", func(ctx context.Context, r *run) error { return c.startServer(ctx, name) }},
			{"adminRole", func(ctx context.Context, r *run) error {
				var p CreatePayload
				if err := r.payload(&p); err != nil {
					return err
				}
				login, err := c.adminLogin(name)
				if err != nil {
					return err
				}
				return c.withSession(ctx, name, func(s Session) error { return s.EnsureAdmin(ctx, login, p.Verifier) })
			}},
			{"endpoint", func(ctx context.Context, r *run) error { return c.openEndpoint(ctx, name) }},
		}, c.createStandbySteps(op)...),
		rollback: c.teardownSteps(name),
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseReady })
		},
		abandon:   func(tx *store.Tx, r *run) error { return forgetServerAndArchive(tx, name) },
		succeeded: c.KickBackups, // the first full backup, right after creation
	}, nil
}

// ensurePrimaryContainer creates the container of the server's primary instance, with its files.
func (c *Controller) ensurePrimaryContainer(ctx context.Context, name string) error {
	image, err := c.serverImage(ctx, name)
	if err != nil {
		return err
	}
	in, err := c.primaryOf(name)
	if err != nil {
		return err
	}
	return c.ensureContainer(ctx, name, in, image)
}

// createStandbySteps are the standby steps of a create with high availability (none without).
func (c *Controller) createStandbySteps(op store.Operation) []step {
	s, err := c.getServer(op.Server)
	if err != nil || s.Spec.HighAvailability == nil {
		return nil
	}
	return c.standbySteps(op.Server)
}

// teardownSteps remove everything a server owns on the machine; deleting and rolling back share them.
func (c *Controller) teardownSteps(name string) []step {
	return []step{
		{"closeEndpoint", func(ctx context.Context, r *run) error { return c.cfg.Endpoints.CloseEndpoint(name) }},
		{"removeContainer", func(ctx context.Context, r *run) error { return c.removeContainers(ctx, name) }},
		{"removeVolume", func(ctx context.Context, r *run) error { return c.removeVolumes(ctx, name) }},
		{"removeCertificate", func(ctx context.Context, r *run) error { return c.forgetServerCert(name) }},
	}
}

// forgetServerAndArchive drops a server that never came to be, with its archive: nothing of it can be
// restored.
func forgetServerAndArchive(tx *store.Tx, name string) error {
	s, err := tx.GetServer(name)
	if err != nil {
		return err
	}
	if s.ArchiveID != "" {
		if err := tx.DeleteArchive(s.ArchiveID); err != nil {
			return err
		}
	}
	return forgetServer(tx, name)
}

// forgetServer drops the server and everything recorded under it.
func forgetServer(tx *store.Tx, name string) error {
	if err := tx.DeleteServerChildren(name); err != nil {
		return err
	}
	if err := tx.ReleasePorts(serverResource(name)); err != nil {
		return err
	}
	return tx.DeleteServer(name)
}

func updateServer(tx *store.Tx, name string, fn func(*store.Server)) error {
	s, err := tx.GetServer(name)
	if err != nil {
		return err
	}
	fn(&s)
	return tx.PutServer(s)
}

func (c *Controller) adminLogin(name string) (string, error) {
	var login string
	err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		login = s.Spec.AdministratorLogin
		return err
	})
	return login, err
}

// reservePort picks a free 127.0.0.1 port for the server's host endpoint and records it, once: the port is
// the server's for its whole life.
func (c *Controller) reservePort(name string) error {
	private, err := c.isPrivate(name)
	if err != nil {
		return err
	}
	if private {
		return c.store.Update(func(tx *store.Tx) error {
			return updateServer(tx, name, c.recordFirstInstance)
		})
	}
	for attempt := 0; attempt < 20; attempt++ {
		port, err := c.cfg.FreePort()
		if err != nil {
			return err
		}
		err = c.store.Update(func(tx *store.Tx) error {
			s, err := tx.GetServer(name)
			if err != nil {
				return err
			}
			if s.HostPort != 0 {
				return nil // reserved by an earlier attempt of this step
			}
			if _, err := tx.PortOwner(port); err == nil {
				return errPortTaken
			}
			if err := tx.ReservePort(port, serverResource(name)); err != nil {
				return err
			}
			s.HostPort = port
			c.recordFirstInstance(&s)
			return tx.PutServer(s)
		})
		if errors.Is(err, errPortTaken) {
			continue
		}
		return err
	}
	return fmt.Errorf("no free port found for the host endpoint of %s", name)
}

var errPortTaken = errors.New("port reserved by another server")

// recordFirstInstance records the server's first instance, its primary in the server's zone, once.
func (c *Controller) recordFirstInstance(s *store.Server) {
	if len(s.Instances) > 0 {
		return
	}
	in := s.AddInstance(store.RolePrimary, s.Spec.Zone)
	rec, _ := s.Instance(in.Name)
	rec.Container = c.instanceContainerName(s.Spec.Name, in.Name)
}

func (c *Controller) serverImage(ctx context.Context, name string) (string, error) {
	var version string
	if err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		version = s.Spec.Version
		return err
	}); err != nil {
		return "", err
	}
	return c.cfg.Images.Ensure(ctx, spec.ImageMajor(version))
}

// removeContainers removes the containers of every instance the server has, or had during a create that
// is being rolled back (the first instance's, in case the create failed before recording it), and the job
// containers a crash of the cloud may have left.
func (c *Controller) removeContainers(ctx context.Context, name string) error {
	ins, err := c.instancesOf(name)
	if err != nil {
		return err
	}
	names := []string{c.instanceContainerName(name, firstInstance)}
	for _, in := range ins {
		names = append(names, in.Container, in.Container+"-job")
	}
	return removeAll(ctx, names, c.cfg.Runtime.RemoveContainer)
}

// removeVolumes removes the data volume of every instance: the one its record names (a new one, or an
// adopted spare), and the first instance's would-be volume in case the create failed before recording it.
func (c *Controller) removeVolumes(ctx context.Context, name string) error {
	ins, err := c.instancesOf(name)
	if err != nil {
		return err
	}
	names := []string{c.volumeName(name)}
	for _, in := range ins {
		names = append(names, in.Volume)
	}
	return removeAll(ctx, names, c.cfg.Runtime.RemoveVolume)
}

// removeAll removes each named engine object (a missing one is fine) with remove.
func removeAll(ctx context.Context, names []string, remove func(context.Context, string) error) error {
	for _, n := range names {
		if n == "" {
			continue
		}
		if err := remove(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
