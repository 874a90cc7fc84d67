package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// putRestore creates a server from another's backups (create_mode PointInTimeRestore or GeoRestore). The
// request's own rules come first, then the source's: it has backups (a live server, or a deleted one
// within its retention), is not a read replica, and the target lies in its restore window; all before
// anything is stored.
func (a *API) putRestore(w http.ResponseWriter, r *http.Request, req model.Server) {
	if errs := spec.ValidateServerCreate(serverConfig(req)); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	target, ferr := spec.ParseRestoreTime(req.PointInTimeRestoreTimeInUTC)
	if ferr != nil {
		invalid(w, spec.FieldErrors{ferr})
		return
	}
	verifier, err := verifierOf(req.AdministratorPassword)
	if err != nil {
		a.fail(w, err)
		return
	}
	req.AdministratorPassword = ""
	createOnly := r.Header.Get("If-None-Match") == "*"
	var op store.Operation
	err = a.cfg.Store.Update(func(tx *store.Tx) error {
		_, err := tx.GetServer(req.Name)
		switch {
		case err == nil && createOnly:
			return serverExists("flexpg_server", req.Name)
		case err == nil:
			return conflictf("server %s exists; a restore creates a new server (choose another name)", req.Name)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		op, err = a.createRestore(tx, req, target, verifier)
		return err
	})
	a.launch(w, op, err)
}

// restoreSource is the source of a restore: the live server source_server_id names, or the most recently
// deleted server of that name whose backups are still kept.
type restoreSource struct {
	name    string
	spec    model.Server
	archive store.Archive
	live    *store.Server
}

func findRestoreSource(tx *store.Tx, id string) (restoreSource, error) {
	name, err := spec.ParseServerID(id)
	if err != nil {
		return restoreSource{}, spec.FieldErrors{spec.NewFieldError("source_server_id", spec.KindFormat, "%s", err.Error())}
	}
	src := restoreSource{name: name}
	live, err := tx.GetServer(name)
	switch {
	case err == nil && live.ArchiveID != "":
		src.spec, src.live = live.Spec, &live
		src.archive, err = tx.GetArchive(live.ArchiveID)
		return src, err
	case err == nil:
		return src, spec.FieldErrors{spec.NewFieldError("source_server_id", spec.KindRestoreWindow,
			"server %s was created by an earlier version of the flexpg cloud and has no backups to restore from", name)}
	case !errors.Is(err, store.ErrNotFound):
		return src, err
	}
	src.archive, err = tx.DeletedArchive(name)
	if errors.Is(err, store.ErrNotFound) {
		return src, spec.FieldErrors{spec.NewFieldError("source_server_id", spec.KindExists,
			"names server %s, which does not exist and has no backups kept (a deleted server can be restored until its backup retention ends)", name)}
	}
	if err != nil {
		return src, err
	}
	if src.archive.Spec != nil {
		src.spec = *src.archive.Spec
	}
	return src, nil
}

// createRestore records the new server, its own (empty) archive and the operation that restores it.
func (a *API) createRestore(tx *store.Tx, req model.Server, target time.Time, verifier string) (store.Operation, error) {
	src, err := findRestoreSource(tx, req.SourceServerID)
	if err != nil {
		return store.Operation{}, err
	}
	geo := req.CreateMode == spec.CreateModeGeoRestore
	var errs spec.FieldErrors
	if src.live != nil {
		errs.Add(spec.ValidateRestoreSource(src.name, src.live.IsReplica()))
	}
	if geo {
		errs.Add(spec.ValidateGeoRestore(src.name, src.spec.Location, src.archive.GeoRegion != "", req.Location))
	} else if req.Location != src.spec.Location {
		errs.Add(spec.NewFieldError("location", spec.KindEqualsSource,
			"must be %s, the region of server %s: a point-in-time restore creates the server in its source's region (use create_mode GeoRestore for the paired region); got %q",
			src.spec.Location, src.name, req.Location))
	}
	if len(errs) > 0 {
		return store.Operation{}, errs
	}
	now := a.cfg.Clock().UTC()
	if e := spec.ValidateRestoreTarget(src.archive.Rules(geo), target, now); e != nil {
		return store.Operation{}, spec.FieldErrors{e}
	}
	desired, errs := restoredSpec(src.spec, req)
	errs.AddAll(withoutRule(spec.ValidateServer(serverConfig(desired)), spec.Rule("administrator_password", spec.KindRequired)))
	if len(errs) > 0 {
		return store.Operation{}, errs
	}
	if err := checkPrivateAccess(tx, desired); err != nil {
		return store.Operation{}, err
	}
	payload, _ := json.Marshal(controller.CreatePayload{Verifier: verifier})
	op := a.cfg.Ops.NewOperation(controller.KindServerRestore, spec.ServerID(desired.Name), desired.Name, payload)
	archive := newArchive(desired, op.StartedAt)
	s := store.Server{Spec: desired, Phase: store.PhaseProvisioning, ActiveOp: op.ID, CreatedAt: op.StartedAt,
		ArchiveID: archive.ID, Restore: &store.Restore{Source: src.name, Archive: src.archive.ID, Geo: geo,
			Target: target, WallTarget: a.cfg.WallTime(target)}}
	if err := tx.PutServer(s); err != nil {
		return op, err
	}
	if err := tx.PutArchive(archive); err != nil {
		return op, err
	}
	if src.live != nil {
		if err := copyServerChildren(tx, src.name, desired.Name); err != nil {
			return op, err
		}
	}
	return op, tx.PutOperation(op)
}

// restoredSpec is the restored server's spec: the request's values, and the source's SKU, storage, version,
// admin, retention and network where the request has none (DESIGN §3). The version and the admin are the
// restored data's: a request may repeat them but not change them; storage may only grow.
func restoredSpec(src, req model.Server) (model.Server, spec.FieldErrors) {
	d := req
	d.HighAvailability = nil
	d.State = spec.StateReady
	d.SKUName = cmp.Or(req.SKUName, src.SKUName)
	d.StorageMB = cmp.Or(req.StorageMB, src.StorageMB)
	if req.StorageTier == "" {
		d.StorageTier, _ = spec.DefaultStorageTier(d.StorageMB)
	}
	d.Version = src.Version
	d.AdministratorLogin = src.AdministratorLogin
	d.BackupRetentionDays = cmp.Or(req.BackupRetentionDays, src.BackupRetentionDays, spec.DefaultBackupRetentionDays)
	var errs spec.FieldErrors
	if req.Version != "" && req.Version != src.Version {
		errs.Add(spec.NewFieldError("version", spec.KindEqualsSource,
			"must be %s, the version of the restored data (server %s); got %q (upgrade after the restore instead)", src.Version, src.Name, req.Version))
	}
	if req.AdministratorLogin != "" && req.AdministratorLogin != src.AdministratorLogin {
		errs.Add(spec.NewFieldError("administrator_login", spec.KindEqualsSource,
			"must be %s, the admin of the restored data (server %s); got %q", src.AdministratorLogin, src.Name, req.AdministratorLogin))
	}
	if d.StorageMB < src.StorageMB {
		errs.Add(spec.NewFieldError("storage_mb", spec.KindAtLeastSource,
			"must be at least %d, the storage of server %s, which the restored data needs; got %d", src.StorageMB, src.Name, d.StorageMB))
	}
	if d.DelegatedSubnetID == "" && spec.TakesSourceNetwork(req.CreateMode) {
		d.DelegatedSubnetID, d.PrivateDNSZoneID = src.DelegatedSubnetID, src.PrivateDNSZoneID
	}
	if src.DelegatedSubnetID != "" && d.DelegatedSubnetID == "" {
		errs.Add(spec.NewFieldError("delegated_subnet_id", spec.KindRequired,
			"is required for a geo-restore of private server %s: name a delegated subnet of a VNet in %s, and private_dns_zone_id", src.Name, d.Location))
	}
	pub := d.DelegatedSubnetID == ""
	d.PublicNetworkAccessEnabled = &pub
	if d.Zone == "" {
		if region, ok := spec.LookupRegion(d.Location); ok && len(region.Zones) > 0 {
			d.Zone = region.Zones[0]
		}
	}
	return d, errs
}

// newArchive is the record of a new server's (empty) archive: primary periods start when it first runs as
// a primary (a create, a restore's promotion, a replica's promotion).
func newArchive(s model.Server, now time.Time) store.Archive {
	a := store.Archive{ID: fmt.Sprintf("%s-%d", s.Name, now.UnixNano()), Server: s.Name, Region: s.Location, Version: s.Version,
		RetentionDays: int64(cmp.Or(s.BackupRetentionDays, spec.DefaultBackupRetentionDays))}
	if s.GeoRedundantBackupEnabled {
		a.GeoRegion, _ = spec.PairedRegion(s.Location)
	}
	return a
}

// listBackups answers GET …/backups: the full backups retention keeps and the earliest restore time.
func (a *API) listBackups(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("server")
	readOne(a, w, func(tx *store.Tx) (model.BackupList, error) {
		s, err := serverFor(tx, name)
		if err != nil {
			return model.BackupList{}, err
		}
		out := model.BackupList{Value: []model.Backup{}}
		if s.ArchiveID == "" {
			return out, nil
		}
		arch, err := tx.GetArchive(s.ArchiveID)
		if err != nil {
			return out, err
		}
		return presentBackups(name, arch, a.cfg.Clock().UTC()), nil
	})
}

func presentBackups(name string, arch store.Archive, now time.Time) model.BackupList {
	out := model.BackupList{Value: []model.Backup{}, GeoRegion: arch.GeoRegion}
	for _, b := range arch.Completed() {
		out.Value = append(out.Value, model.Backup{ID: spec.ServerID(name) + "/backups/" + b.Name, Name: b.Name,
			BackupType: "Full", Source: "Automatic", StartedTime: b.Started, CompletedTime: b.Completed,
			SizeBytes: b.SizeBytes, Timeline: b.Timeline, GeoCopied: b.GeoCopied})
	}
	if t, ok := arch.Rules(false).EarliestRestoreTime(now); ok {
		out.EarliestRestoreTime = t.Format(time.RFC3339Nano)
	}
	return out
}
