package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Spare data volumes. Filling a new data volume from the image's template is most of a create (about 0.5 to
// 1 s of small-file writes on this kind of machine, more while the disk is busy), so after each create the
// cloud fills one volume of that major version in the background, and the next create adopts it. A create
// that finds none makes an empty volume, which the image's entrypoint fills at first start, as before.
// Spares belong to the cloud (resource spareResource) until a server adopts one; from then on the server's
// record names the volume, and the server's teardown removes it.

// spareFills remembers which majors have a fill running, so one is enough, and lets a create wait for it.
type spareFills struct {
	mu      sync.Mutex
	running map[string]chan struct{} // closed when the fill ends
	waiting map[string]bool          // a create waits for the running fill of this major
}

func (f *spareFills) begin(major string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running == nil {
		f.running = map[string]chan struct{}{}
	}
	if f.running[major] != nil {
		return false
	}
	f.running[major] = make(chan struct{})
	return true
}

func (f *spareFills) end(major string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if done := f.running[major]; done != nil {
		close(done)
	}
	delete(f.running, major)
}

// wait blocks until the fill of major running now (if any) ends, or ctx does. A create that finds no ready
// spare waits for one being filled: the rest of that copy is shorter than a copy of its own. Only one create
// waits for a fill, since one fill makes one spare; others (many creates at once) make their own volumes.
func (f *spareFills) wait(ctx context.Context, major string) {
	f.mu.Lock()
	done := f.running[major]
	if done == nil || f.waiting[major] {
		f.mu.Unlock()
		return
	}
	if f.waiting == nil {
		f.waiting = map[string]bool{}
	}
	f.waiting[major] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.waiting, major)
		f.mu.Unlock()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Roles of the spare volumes and of the throwaway containers that fill them.
const (
	RoleSpareData = "spare-data"
	RoleSpareFill = "spare-fill"
)

// SpareResource is the resource label of the spare volumes of a cloud: the cloud itself owns them. A volume
// a server adopted keeps it; the server's record names the volume.
func SpareResource(cloudID string) string { return "/cloud/" + cloudID + "/spares" }

func (c *Controller) spareResource() string { return SpareResource(c.cfg.CloudID) }

// takeVolume gives the server its data volume, once: a ready spare of its major version when there is one
// (waiting for one being filled), otherwise a new empty volume. Either way a spare is filled for the next
// create.
func (c *Controller) takeVolume(ctx context.Context, name string) error {
	var volume, major string
	if err := c.store.View(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		major = spec.ImageMajor(s.Spec.Version)
		return err
	}); err != nil {
		return err
	}
	c.spares.wait(ctx, major)
	err := c.store.Update(func(tx *store.Tx) error {
		s, err := tx.GetServer(name)
		if err != nil {
			return err
		}
		major = spec.ImageMajor(s.Spec.Version)
		in, ok := s.Primary()
		if !ok {
			return fmt.Errorf("server %s has no primary instance yet", name)
		}
		if in.Volume == "" {
			in.Volume = c.volumeName(name)
			if spare, ok, err := tx.TakeSpare(major); err != nil {
				return err
			} else if ok {
				in.Volume = spare.Volume
			}
			if err := tx.PutServer(s); err != nil {
				return err
			}
		}
		volume = in.Volume
		return nil
	})
	if err != nil {
		return err
	}
	c.refillSpare(major)
	if volume != c.volumeName(name) {
		return nil // an adopted spare: it exists and is full
	}
	return c.cfg.Runtime.CreateVolume(ctx, runtime.VolumeSpec{Name: volume, Labels: c.labels(serverResource(name), "data")})
}

// refillSpare fills a spare of major in the background unless one is ready or being filled.
func (c *Controller) refillSpare(major string) {
	if c.ctx == nil || c.ctx.Err() != nil || !c.spares.begin(major) {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer c.spares.end(major)
		if err := c.fillSpare(c.ctx, major); err != nil && c.ctx.Err() == nil {
			c.log.Warn("fill a spare data volume", "major", major, "err", err)
		}
	}()
}

// fillSpare makes one ready spare of major, recording it before its volume exists so a crash leaves a
// record to clean up (sweepSpares) rather than an unowned volume.
func (c *Controller) fillSpare(ctx context.Context, major string) error {
	var have bool
	if err := c.store.View(func(tx *store.Tx) error {
		spares, err := tx.ListSpares()
		for _, s := range spares {
			have = have || (s.Ready && s.Major == major)
		}
		return err
	}); err != nil || have {
		return err
	}
	image, err := c.cfg.Images.Ensure(ctx, major)
	if err != nil {
		return err
	}
	spare := store.Spare{Volume: "flexpg-" + c.shortID() + "-spare-" + newID()[:12], Major: major}
	if err := c.store.Update(func(tx *store.Tx) error { return tx.PutSpare(spare) }); err != nil {
		return err
	}
	if err := c.prepareVolume(ctx, spare.Volume, image); err != nil {
		return errors.Join(err, c.dropSpare(context.Background(), spare.Volume))
	}
	spare.Ready = true
	return c.store.Update(func(tx *store.Tx) error { return tx.PutSpare(spare) })
}

// prepareVolume makes the volume and has the image fill it (postgres.PrepareEnv) in a throwaway container
// with no network.
func (c *Controller) prepareVolume(ctx context.Context, volume, image string) error {
	if err := c.cfg.Runtime.CreateVolume(ctx, runtime.VolumeSpec{Name: volume, Labels: c.labels(c.spareResource(), RoleSpareData)}); err != nil {
		return err
	}
	var stderr bytes.Buffer
	code, err := c.cfg.Runtime.Run(ctx, runtime.ContainerSpec{
		Name:    fillContainerName(volume),
		Image:   image,
		Env:     []string{postgres.PrepareEnv},
		Labels:  c.labels(c.spareResource(), RoleSpareFill),
		Network: runtime.NoNetwork,
		Mounts:  []runtime.Mount{{Volume: volume, Target: postgres.DataVolume}},
	}, nil, nil, &stderr)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("filling volume %s exited with code %d: %s", volume, code, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

func (c *Controller) dropSpare(ctx context.Context, volume string) error {
	if err := c.cfg.Runtime.RemoveVolume(ctx, volume); err != nil {
		return err
	}
	return c.store.Update(func(tx *store.Tx) error { return tx.DeleteSpare(volume) })
}

// sweepSpares runs when the cloud starts: a spare a previous run did not finish filling is removed, as is a
// spare volume no record names (the record of a crashed fill that was dropped). Ready spares stay.
func (c *Controller) sweepSpares(ctx context.Context) error {
	var spares []store.Spare
	owned := map[string]bool{} // volumes servers have adopted: they keep their spare labels
	if err := c.store.View(func(tx *store.Tx) error {
		servers, err := tx.ListServers()
		for _, s := range servers {
			for _, in := range s.Instances {
				owned[in.Volume] = true
			}
		}
		if err != nil {
			return err
		}
		spares, err = tx.ListSpares()
		return err
	}); err != nil {
		return err
	}
	recorded := map[string]bool{}
	var errs []error
	for _, s := range spares {
		if !s.Ready {
			errs = append(errs, c.dropSpare(ctx, s.Volume))
			continue
		}
		recorded[s.Volume] = true
	}
	objects, err := c.cfg.Runtime.List(ctx, runtime.Labels{runtime.LabelCloud: c.cfg.CloudID, runtime.LabelResource: c.spareResource()})
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, o := range objects {
		if o.Kind == runtime.KindVolume && !recorded[o.Name] && !owned[o.Name] {
			errs = append(errs, c.cfg.Runtime.RemoveVolume(ctx, o.Name))
		}
	}
	return errors.Join(errs...)
}

// fillContainerName is the name of the container that fills a spare volume.
func fillContainerName(volume string) string { return volume + "-fill" }

// SpareOfFill returns the volume a fill container fills.
func SpareOfFill(container string) string { return strings.TrimSuffix(container, "-fill") }
