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
		steps: []step{
			{"reservePort", func(ctx context.Context, r *run) error { return c.reservePort(name) }},
			{"image", func(ctx context.Context, r *run) error { _, err := c.serverImage(ctx, name); return err }},
			{"volume", func(ctx context.Context, r *run) error { return c.takeVolume(ctx, name) }},
			{"container", func(ctx context.Context, r *run) error {
				image, err := c.serverImage(ctx, name)
				if err != nil {
					return err
				}
				return c.ensureContainer(ctx, name, image)
			}},
			{"start", func(ctx context.Context, r *run) error { return c.startInstance(ctx, name) }},
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
		},
		rollback: c.teardownSteps(name),
		finish: func(tx *store.Tx, r *run) error {
			return updateServer(tx, name, func(s *store.Server) { s.Phase = store.PhaseReady })
		},
		abandon: func(tx *store.Tx, r *run) error { return forgetServer(tx, name) },
	}, nil
}

// teardownSteps remove everything a server owns on the machine; deleting and rolling back share them.
func (c *Controller) teardownSteps(name string) []step {
	return []step{
		{"closeEndpoint", func(ctx context.Context, r *run) error { return c.cfg.Endpoints.CloseEndpoint(name) }},
		{"removeContainer", func(ctx context.Context, r *run) error {
			return c.cfg.Runtime.RemoveContainer(ctx, c.containerName(name))
		}},
		{"removeVolume", func(ctx context.Context, r *run) error { return c.removeVolume(ctx, name) }},
		{"removeCertificate", func(ctx context.Context, r *run) error { return c.forgetServerCert(name) }},
	}
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
			return updateServer(tx, name, func(s *store.Server) {
				s.Container = c.containerName(name)
			})
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
			s.Container = c.containerName(name)
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

// removeVolume removes the server's data volume: the one its record names (a new one, or an adopted spare).
// A create that failed before the volume step has none, and its would-be volume is removed in case.
func (c *Controller) removeVolume(ctx context.Context, name string) error {
	var volume string
	err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		volume = s.Volume
		return err
	})
	if err != nil {
		return err
	}
	if volume == "" {
		volume = c.volumeName(name)
	}
	return c.cfg.Runtime.RemoveVolume(ctx, volume)
}
