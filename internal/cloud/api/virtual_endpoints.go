package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// presentVirtualEndpoint is the API document of a virtual endpoint: what the user set, under the server it
// was created on, and where its names lead now.
func presentVirtualEndpoint(v store.VirtualEndpoint) model.VirtualEndpoint {
	out := v.Endpoint
	out.ID = spec.VirtualEndpointID(v.Owner, v.Endpoint.Name)
	out.SourceServerID = spec.ServerID(v.Owner)
	out.WriterServerID, out.ReaderServerID = spec.ServerID(v.Writer), spec.ServerID(v.Reader)
	out.WriterFQDN, out.ReaderFQDN = spec.WriterFQDN(v.Endpoint.Name), spec.ReaderFQDN(v.Endpoint.Name)
	if v.WriterPort != 0 {
		out.WriterHost, out.WriterPort = "127.0.0.1", v.WriterPort
		out.ReaderHost, out.ReaderPort = "127.0.0.1", v.ReaderPort
	}
	out.ProvisioningState = "Updating"
	if v.Ready {
		out.ProvisioningState = "Succeeded"
	}
	return out
}

// virtualEndpointFor finds the endpoint name created on server (404 otherwise).
func virtualEndpointFor(tx *store.Tx, server, name string) (store.VirtualEndpoint, error) {
	if _, err := serverFor(tx, server); err != nil {
		return store.VirtualEndpoint{}, err
	}
	v, err := tx.GetVirtualEndpoint(name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && v.Owner != server) {
		return v, missing("virtual endpoint %s not found on server %s", name, server)
	}
	return v, err
}

func (a *API) listVirtualEndpoints(w http.ResponseWriter, r *http.Request) {
	server := r.PathValue("server")
	readList(a, w, func(tx *store.Tx) ([]model.VirtualEndpoint, error) {
		if _, err := serverFor(tx, server); err != nil {
			return nil, err
		}
		all, err := tx.ListVirtualEndpoints()
		var mine []store.VirtualEndpoint
		for _, v := range all {
			if v.Owner == server {
				mine = append(mine, v)
			}
		}
		return each(mine, err, presentVirtualEndpoint)
	})
}

func (a *API) getVirtualEndpoint(w http.ResponseWriter, r *http.Request) {
	readOne(a, w, func(tx *store.Tx) (model.VirtualEndpoint, error) {
		v, err := virtualEndpointFor(tx, r.PathValue("server"), r.PathValue("name"))
		return presentVirtualEndpoint(v), err
	})
}

// putVirtualEndpoint creates a virtual endpoint on a primary, or changes its reader's target. The rules of
// seed 004: one per primary, on a primary (not a replica), the reader on the primary or one of its
// replicas.
func (a *API) putVirtualEndpoint(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	var req model.VirtualEndpoint
	if !decode(w, r, &req) {
		return
	}
	if req.Type == "" {
		req.Type = spec.VirtualEndpointTypeReadWrite
	}
	errs := spec.ValidateVirtualEndpoint(spec.VirtualEndpointConfig{Name: name, SourceServerID: spec.ServerID(server),
		ReplicaServerID: req.ReplicaServerID, Type: req.Type})
	if req.Name != "" && req.Name != name {
		errs.Add(spec.NewFieldError("name", spec.KindFormat, "%q in the body differs from %q in the path", req.Name, name))
	}
	if len(errs) > 0 {
		invalid(w, errs)
		return
	}
	var op store.Operation
	err := a.cfg.Store.Update(func(tx *store.Tx) error {
		v, err := a.desiredVirtualEndpoint(tx, server, name, req)
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(controller.VirtualEndpointPayload{Name: name})
		op = a.cfg.Ops.NewOperation(controller.KindVirtualEndpointPut, spec.VirtualEndpointID(server, name), "", payload)
		if err := tx.PutVirtualEndpoint(v); err != nil {
			return err
		}
		return tx.HoldResource(op.ResourceID, op)
	})
	a.launch(w, op, err)
}

// desiredVirtualEndpoint checks a put against the cloud's state and returns the record to store.
func (a *API) desiredVirtualEndpoint(tx *store.Tx, server, name string, req model.VirtualEndpoint) (store.VirtualEndpoint, error) {
	owner, err := serverFor(tx, server)
	if err != nil {
		return store.VirtualEndpoint{}, err
	}
	if err := tx.CheckNotHeld(spec.VirtualEndpointID(server, name)); err != nil {
		return store.VirtualEndpoint{}, err
	}
	existing, err := tx.GetVirtualEndpoint(name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		existing, err = newVirtualEndpoint(tx, owner, name, req)
		if err != nil {
			return existing, err
		}
	case err != nil:
		return existing, err
	case existing.Owner != server:
		return existing, &apiErr{http.StatusConflict, model.Error{Code: model.CodeAlreadyExists, Field: "name",
			Message: "virtual endpoint " + name + " exists on server " + existing.Owner + "; its names are unique in the cloud: choose another name"}}
	case existing.Endpoint.Type != req.Type:
		return existing, spec.FieldErrors{spec.NewFieldError("type", spec.KindImmutable, "of a virtual endpoint cannot change; replace it")}
	}
	if existing.Endpoint.ReplicaServerID != req.ReplicaServerID {
		reader, err := readerTarget(tx, existing.Writer, req.ReplicaServerID)
		if err != nil {
			return existing, err
		}
		existing.Reader = reader
	}
	existing.Endpoint = model.VirtualEndpoint{Name: name, ReplicaServerID: req.ReplicaServerID, Type: req.Type}
	existing.Ready = false
	return existing, nil
}

// newVirtualEndpoint is a new endpoint's record, on a primary that has none yet.
func newVirtualEndpoint(tx *store.Tx, owner store.Server, name string, req model.VirtualEndpoint) (store.VirtualEndpoint, error) {
	if owner.IsReplica() {
		return store.VirtualEndpoint{}, conflictf("server %s is a read replica: virtual endpoints are managed on its primary %s", owner.Spec.Name, owner.Replication.Upstream)
	}
	if owner.Phase == store.PhaseProvisioning || owner.Phase == store.PhaseDropping {
		return store.VirtualEndpoint{}, conflictf("server %s is %s", owner.Spec.Name, owner.Phase)
	}
	over, err := tx.VirtualEndpointsOver(owner.Spec.Name)
	if err != nil {
		return store.VirtualEndpoint{}, err
	}
	if len(over) >= spec.MaxVirtualEndpoints {
		return store.VirtualEndpoint{}, conflictf("server %s has virtual endpoint %s already: a primary has one writer and one reader endpoint; change that one's replica_server_id instead",
			owner.Spec.Name, over[0].Endpoint.Name)
	}
	reader, err := readerTarget(tx, owner.Spec.Name, req.ReplicaServerID)
	if err != nil {
		return store.VirtualEndpoint{}, err
	}
	return store.VirtualEndpoint{Owner: owner.Spec.Name, Writer: owner.Spec.Name, Reader: reader}, nil
}

// readerTarget is the server replica_server_id names, if a reader over primary may target it: the primary
// itself or one of its replicas.
func readerTarget(tx *store.Tx, primary, id string) (string, error) {
	name, err := spec.ParseServerID(id)
	if err != nil {
		return "", spec.FieldErrors{spec.NewFieldError("replica_server_id", spec.KindFormat, "%s", err.Error())}
	}
	if name == primary {
		return name, nil
	}
	replicas, err := tx.ReplicasOf(primary)
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(replicas, func(s store.Server) bool { return s.Spec.Name == name }) {
		return "", spec.FieldErrors{spec.NewFieldError("replica_server_id", spec.KindExists,
			"names %s, which is neither the primary %s nor one of its read replicas: a reader targets the primary or a replica of it", name, primary)}
	}
	return name, nil
}

func (a *API) deleteVirtualEndpoint(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	var op store.Operation
	err := a.cfg.Store.Update(func(tx *store.Tx) error {
		v, err := virtualEndpointFor(tx, server, name)
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(controller.VirtualEndpointPayload{Name: v.Endpoint.Name})
		op = a.cfg.Ops.NewOperation(controller.KindVirtualEndpointDelete, spec.VirtualEndpointID(server, name), "", payload)
		return tx.HoldResource(op.ResourceID, op)
	})
	a.launch(w, op, err)
}

// virtualEndpointsBlockDelete refuses to delete a server a virtual endpoint reaches or was created on.
func virtualEndpointsBlockDelete(tx *store.Tx, server string) error {
	all, err := tx.ListVirtualEndpoints()
	if err != nil {
		return err
	}
	for _, v := range all {
		if v.Owner == server || v.Writer == server || v.Reader == server {
			return conflictf("server %s is used by virtual endpoint %s (created on %s): delete the endpoint first", server, v.Endpoint.Name, v.Owner)
		}
	}
	return nil
}
