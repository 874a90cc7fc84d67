package controller

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// VirtualEndpointPayload names the endpoint an operation acts on (its record holds the rest).
type VirtualEndpointPayload struct {
	Name string `json:"name"`
}

// Host endpoint names of a virtual endpoint's writer and reader in the gateway. A server name has no "/",
// so they never collide with a server's own endpoint.
func writerEndpoint(name string) string { return name + "/writer" }
func readerEndpoint(name string) string { return name + "/reader" }

// planVirtualEndpointPut opens (or updates) a virtual endpoint: for public access a host port each for its
// writer and reader, pointing at the servers they reach now; private access needs nothing but the record,
// which the cloud's DNS answers from.
func (c *Controller) planVirtualEndpointPut(op store.Operation) (plan, error) {
	var p VirtualEndpointPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{
		steps: []step{
			{"reservePorts", func(ctx context.Context, r *run) error { return c.reserveEndpointPorts(p.Name) }},
			{"apply", func(ctx context.Context, r *run) error { return c.applyVirtualEndpoint(ctx, p.Name) }},
		},
		finish: func(tx *store.Tx, r *run) error {
			v, err := tx.GetVirtualEndpoint(p.Name)
			if err != nil {
				return err
			}
			v.Ready = true
			return tx.PutVirtualEndpoint(v)
		},
	}, nil
}

// planVirtualEndpointDelete closes the endpoint's host ports and forgets it.
func (c *Controller) planVirtualEndpointDelete(op store.Operation) (plan, error) {
	var p VirtualEndpointPayload
	if err := (&run{op: op}).payload(&p); err != nil {
		return plan{}, err
	}
	return plan{
		steps: []step{{"close", func(ctx context.Context, r *run) error {
			if err := c.cfg.Endpoints.CloseEndpoint(writerEndpoint(p.Name)); err != nil {
				return err
			}
			return c.cfg.Endpoints.CloseEndpoint(readerEndpoint(p.Name))
		}}},
		finish: func(tx *store.Tx, r *run) error {
			if err := tx.ReleasePorts(virtualEndpointResource(p.Name)); err != nil {
				return err
			}
			return tx.DeleteVirtualEndpoint(p.Name)
		},
	}, nil
}

func virtualEndpointResource(name string) string { return "virtualEndpoint/" + name }

// reserveEndpointPorts gives a public virtual endpoint its two host ports, once.
func (c *Controller) reserveEndpointPorts(name string) error {
	for attempt := 0; attempt < 20; attempt++ {
		writer, errW := c.cfg.FreePort()
		reader, errR := c.cfg.FreePort()
		if err := errors.Join(errW, errR); err != nil {
			return err
		}
		err := c.store.Update(func(tx *store.Tx) error {
			v, err := tx.GetVirtualEndpoint(name)
			if err != nil {
				return err
			}
			owner, err := tx.GetServer(v.Owner)
			if err != nil {
				return err
			}
			if v.WriterPort != 0 || owner.Spec.DelegatedSubnetID != "" {
				return nil // reserved by an earlier attempt, or private: no host ports
			}
			for _, port := range []int{writer, reader} {
				if _, err := tx.PortOwner(port); err == nil || writer == reader {
					return errPortTaken
				}
				if err := tx.ReservePort(port, virtualEndpointResource(name)); err != nil {
					return err
				}
			}
			v.WriterPort, v.ReaderPort = writer, reader
			return tx.PutVirtualEndpoint(v)
		})
		if errors.Is(err, errPortTaken) {
			continue
		}
		return err
	}
	return fmt.Errorf("no free ports found for virtual endpoint %s", name)
}

// applyVirtualEndpoint points the endpoint's host ports at the servers its writer and reader reach now,
// each with that server's firewall policy. The writer never reaches an instance in recovery: while its
// server is a replica, or not running, it refuses connections.
func (c *Controller) applyVirtualEndpoint(ctx context.Context, name string) error {
	var v store.VirtualEndpoint
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		v, err = tx.GetVirtualEndpoint(name)
		return err
	}); err != nil {
		return err
	}
	if v.WriterPort == 0 {
		return nil // private: the DNS answers from the record
	}
	if err := c.openTarget(ctx, writerEndpoint(name), v.WriterPort, v.Writer, true); err != nil {
		return err
	}
	return c.openTarget(ctx, readerEndpoint(name), v.ReaderPort, v.Reader, false)
}

// openTarget opens (or updates) one host port of a virtual endpoint towards server's primary instance.
func (c *Controller) openTarget(ctx context.Context, endpoint string, port int, server string, writer bool) error {
	st, err := c.loadServerState(server)
	if err != nil {
		return err
	}
	policy, err := c.endpointPolicy(st)
	if err != nil {
		return err
	}
	backend := ""
	if writer && st.server.IsReplica() {
		backend = "" // never a writer into recovery
	} else if ip, err := c.primaryAddr(ctx, server); err == nil {
		if running, err := c.primaryRunning(ctx, server); err == nil && running {
			backend = net.JoinHostPort(ip, "5432")
		}
	}
	return c.cfg.Endpoints.OpenEndpoint(endpoint, port, backend, policy)
}

// refreshVirtualEndpoints re-applies every virtual endpoint that reaches server: its primary moved (a
// failover, a restart), stopped, or its firewall changed.
func (c *Controller) refreshVirtualEndpoints(ctx context.Context, server string) error {
	var eps []store.VirtualEndpoint
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		eps, err = tx.VirtualEndpointsReaching(server)
		return err
	}); err != nil {
		return err
	}
	for _, v := range eps {
		if err := c.applyVirtualEndpoint(ctx, v.Endpoint.Name); err != nil {
			return err
		}
	}
	return nil
}

// moveVirtualEndpoints applies seed 004's table to every virtual endpoint of the primary a replica was
// promoted from: the writer follows a promotion to primary server, the reader leaves the promoted replica.
func (c *Controller) moveVirtualEndpoints(ctx context.Context, promoted string, p PromotePayload) error {
	var moved []string
	if err := c.store.Update(func(tx *store.Tx) error {
		eps, err := tx.ListVirtualEndpoints()
		if err != nil {
			return err
		}
		for _, v := range eps {
			if v.Writer != p.From && v.Writer != promoted {
				continue
			}
			w := spec.WriterAfterPromotion(p.Role, v.Writer, promoted)
			r := spec.ReaderAfterPromotion(p.Role, v.Reader, promoted, p.From)
			v.Writer, v.Reader = w, r
			if err := tx.PutVirtualEndpoint(v); err != nil {
				return err
			}
			moved = append(moved, v.Endpoint.Name)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, name := range moved {
		if err := c.applyVirtualEndpoint(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// restoreVirtualEndpoints reopens every public virtual endpoint after the cloud starts.
func (c *Controller) restoreVirtualEndpoints(ctx context.Context) {
	var eps []store.VirtualEndpoint
	if err := c.store.View(func(tx *store.Tx) error {
		var err error
		eps, err = tx.ListVirtualEndpoints()
		return err
	}); err != nil {
		c.log.Warn("reopen virtual endpoints", "err", err)
		return
	}
	for _, v := range eps {
		if err := c.applyVirtualEndpoint(ctx, v.Endpoint.Name); err != nil {
			c.log.Warn("reopen virtual endpoint", "endpoint", v.Endpoint.Name, "err", err)
		}
	}
}
