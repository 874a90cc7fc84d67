package api

import (
	"errors"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func presentDatabase(d store.Database) model.Database {
	out := d.Database
	out.ID = spec.DatabaseID(d.Server, d.Database.Name)
	out.ServerName = d.Server
	return out
}

func (a *API) listDatabases(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.Database, error) {
		if _, err := serverFor(tx, r.PathValue("server")); err != nil {
			return nil, err
		}
		dbs, err := tx.ListDatabases(r.PathValue("server"))
		return each(dbs, err, presentDatabase)
	})
}

func (a *API) getDatabase(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	readOne(a, w, func(tx *store.Tx) (model.Database, error) {
		if _, err := serverFor(tx, server); err != nil {
			return model.Database{}, err
		}
		d, err := tx.GetDatabase(server, name)
		if errors.Is(err, store.ErrNotFound) {
			return model.Database{}, missing("database %s not found on server %s", name, server)
		}
		return presentDatabase(d), err
	})
}

func (a *API) putDatabase(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	var req model.Database
	if !decode(w, r, &req) {
		return
	}
	req.Name, req.ID, req.ServerName = name, "", ""
	if req.Charset == "" {
		req.Charset = spec.DefaultCharset
	}
	if req.Collation == "" {
		req.Collation = spec.DefaultCollation
	}
	var errs spec.FieldErrors
	errs.Add(spec.ValidateDatabaseName(name))
	errs.Add(spec.ValidateCharset(req.Charset))
	errs.Add(spec.ValidateCollation(req.Collation))
	if len(errs) == 0 {
		errs.Add(spec.ValidateCharsetCollation(req.Charset, req.Collation))
	}
	if len(errs) > 0 {
		invalid(w, errs)
		return
	}
	if c, ok := spec.CanonicalCharset(req.Charset); ok {
		req.Charset = c
	}
	a.childOperation(w, server, controller.KindDatabasePut, spec.DatabaseID(server, name), controller.DatabasePayload{Database: req},
		func(tx *store.Tx, s store.Server) error {
			if s.Phase == store.PhaseStopped {
				return conflictf("server %s is stopped; start it to create databases", server)
			}
			old, err := tx.GetDatabase(server, name)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			// A database cannot change in place: a changed field says so; the same database again is one that
			// already exists.
			if errs := spec.ValidateDatabaseUpdate(databaseConfig(server, old.Database), databaseConfig(server, req)); len(errs) > 0 {
				return errs
			}
			return &apiErr{http.StatusConflict, model.Error{Code: model.CodeAlreadyExists,
				Message: "database " + name + " already exists on server " + server + "; import it to manage it"}}
		})
}

func (a *API) deleteDatabase(w http.ResponseWriter, r *http.Request) {
	server, name := r.PathValue("server"), r.PathValue("name")
	a.childOperation(w, server, controller.KindDatabaseDelete, spec.DatabaseID(server, name),
		controller.DatabasePayload{Database: model.Database{Name: name}},
		func(tx *store.Tx, s store.Server) error {
			if _, err := tx.GetDatabase(server, name); errors.Is(err, store.ErrNotFound) {
				return missing("database %s not found on server %s", name, server)
			}
			if s.Phase == store.PhaseStopped {
				return conflictf("server %s is stopped; start it to drop databases", server)
			}
			return nil
		})
}

func databaseConfig(server string, d model.Database) spec.DatabaseConfig {
	return spec.DatabaseConfig{ServerID: spec.ServerID(server), Name: d.Name, Charset: d.Charset, Collation: d.Collation}
}
