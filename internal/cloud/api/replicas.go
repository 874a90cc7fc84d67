package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// replicaConfig maps a replica request onto the rules' view of it.
func replicaConfig(s model.Server) spec.ReplicaConfig {
	auto := s.AutoGrowEnabled
	return spec.ReplicaConfig{
		Name: s.Name, SourceServerID: s.SourceServerID, Location: s.Location, Zone: s.Zone, SKUName: s.SKUName,
		StorageMB: s.StorageMB, AutoGrow: &auto, DelegatedSubnetID: s.DelegatedSubnetID, PrivateDNSZoneID: s.PrivateDNSZoneID,
		ReplicationRole: s.ReplicationRole, PromoteOption: s.PromoteOption,
	}
}

// putReplica creates or updates a read replica (create_mode Replica). Its rules are seed 004's: checked on
// the request alone first, then against the source server, all before anything is stored.
func (a *API) putReplica(w http.ResponseWriter, r *http.Request, req model.Server) {
	if errs := spec.ValidateReplica(replicaConfig(req)); len(errs) > 0 {
		invalid(w, errs)
		return
	}
	if req.GeoRedundantBackupEnabled {
		invalid(w, spec.FieldErrors{spec.NewFieldError("geo_redundant_backup_enabled", spec.KindNotReplica,
			"cannot be set on a read replica: no backups are taken of a replica (seed 004), so there is nothing to copy to the paired region")})
		return
	}
	if req.AdministratorPassword != "" {
		invalid(w, spec.FieldErrors{spec.NewFieldError("administrator_password", spec.KindUnsupported,
			"cannot be set on a read replica: it inherits the admin (and its password) from its primary, as the service does; change the password on the primary")})
		return
	}
	createOnly := r.Header.Get("If-None-Match") == "*"
	var op store.Operation
	err := a.cfg.Store.Update(func(tx *store.Tx) error {
		existing, err := tx.GetServer(req.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			op, err = a.createReplica(tx, req)
			return err
		case err != nil:
			return err
		case createOnly:
			return serverExists("flexpg_read_replica", req.Name)
		case existing.Spec.CreateMode != spec.CreateModeReplica:
			return conflictf("server %s was not created as a read replica; manage it as a flexpg_server", req.Name)
		}
		op, err = a.updateReplica(tx, existing, req)
		return err
	})
	a.launch(w, op, err)
}

// createReplica records a new replica of a Ready source, inheriting what seed 004 says it inherits (the
// admin, the version, the firewall rules and parameters; size, region and network unless given), and holds
// the source as Updating while the replica is built.
func (a *API) createReplica(tx *store.Tx, req model.Server) (store.Operation, error) {
	src, err := replicaSource(tx, req.SourceServerID)
	if err != nil {
		return store.Operation{}, err
	}
	if err := checkIdle(tx, src); err != nil {
		return store.Operation{}, err
	}
	if src.Phase != store.PhaseReady {
		return store.Operation{}, conflictf("server %s is %s: a read replica is created from a running server; start it first", src.Spec.Name, src.Phase)
	}
	replicas, err := tx.ReplicasOf(src.Spec.Name)
	if err != nil {
		return store.Operation{}, err
	}
	errs := spec.ValidateReplicaSource(spec.ReplicaSource{Name: src.Spec.Name, SKUName: src.Spec.SKUName,
		IsReplica: src.IsReplica(), Replicas: len(replicas)})
	errs.Add(spec.ValidateReplicaCreateRole(req.ReplicationRole))
	desired, netErrs := inheritFromSource(src.Spec, req)
	errs.AddAll(netErrs)
	errs.AddAll(spec.ValidateReplicaSize(spec.Size{SKUName: src.Spec.SKUName, StorageMB: src.Spec.StorageMB}, src.Spec.AutoGrowEnabled,
		spec.Size{SKUName: desired.SKUName, StorageMB: desired.StorageMB}, desired.AutoGrowEnabled))
	if len(errs) > 0 {
		return store.Operation{}, errs
	}
	if err := checkPrivateAccess(tx, desired); err != nil {
		return store.Operation{}, err
	}
	if err := checkReplicaVNets(tx, src.Spec, desired); err != nil {
		return store.Operation{}, err
	}
	slot, err := postgres.ReplicaSlotName(desired.Name)
	if err != nil {
		return store.Operation{}, err
	}
	op := a.cfg.Ops.NewOperation(controller.KindReplicaCreate, spec.ServerID(desired.Name), desired.Name, nil)
	// No backups are taken while it is a replica (seed 004); its archive starts when it is promoted.
	archive := newArchive(desired, op.StartedAt)
	s := store.Server{Spec: desired, Phase: store.PhaseProvisioning, ActiveOp: op.ID, CreatedAt: op.StartedAt, ArchiveID: archive.ID,
		Replication: &store.Replication{Upstream: src.Spec.Name, Slot: slot, State: spec.ReplicationStateProvisioning}}
	if err := tx.PutServer(s); err != nil {
		return op, err
	}
	if err := tx.PutArchive(archive); err != nil {
		return op, err
	}
	if err := copyServerChildren(tx, src.Spec.Name, desired.Name); err != nil {
		return op, err
	}
	if err := tx.HoldPartner(src, &op, store.PhaseUpdating); err != nil {
		return op, err
	}
	return op, tx.PutOperation(op)
}

// replicaSource finds the server source_server_id names.
func replicaSource(tx *store.Tx, id string) (store.Server, error) {
	name, err := spec.ParseServerID(id)
	if err != nil {
		return store.Server{}, spec.FieldErrors{spec.NewFieldError("source_server_id", spec.KindFormat, "%s", err.Error())}
	}
	src, err := tx.GetServer(name)
	if errors.Is(err, store.ErrNotFound) {
		return src, spec.FieldErrors{spec.NewFieldError("source_server_id", spec.KindExists,
			"names server %s, which does not exist (create it first, or add depends_on)", name)}
	}
	return src, err
}

// inheritFromSource is the replica's full spec: the request's values, and the source's where the request
// has none. A replica of a private server is private: in the source's region it takes the source's subnet
// and DNS zone unless it names its own; in another region it must name its own. A replica of a public
// server is public.
func inheritFromSource(src, req model.Server) (model.Server, spec.FieldErrors) {
	d := model.Server{Name: req.Name, CreateMode: spec.CreateModeReplica, SourceServerID: req.SourceServerID,
		Location: req.Location, Zone: req.Zone, SKUName: req.SKUName, StorageMB: req.StorageMB,
		AutoGrowEnabled: req.AutoGrowEnabled, DelegatedSubnetID: req.DelegatedSubnetID, PrivateDNSZoneID: req.PrivateDNSZoneID,
		Version: src.Version, AdministratorLogin: src.AdministratorLogin, ReplicationRole: spec.ReplicationRoleAsyncReplica,
		PromoteOption: req.PromoteOption, State: spec.StateReady, Tags: req.Tags, MaintenanceWindow: req.MaintenanceWindow}
	if d.Location == "" {
		d.Location = src.Location
	}
	if d.SKUName == "" {
		d.SKUName = src.SKUName
	}
	if d.StorageMB == 0 {
		d.StorageMB = src.StorageMB
	}
	d.StorageTier, _ = spec.DefaultStorageTier(d.StorageMB)
	if d.PromoteOption == "" {
		d.PromoteOption = spec.PromoteOptionPlanned
	}
	if d.Zone == "" {
		if region, ok := spec.LookupRegion(d.Location); ok && len(region.Zones) > 0 {
			d.Zone = region.Zones[0]
		}
	}
	var errs spec.FieldErrors
	switch {
	case src.DelegatedSubnetID == "" && d.DelegatedSubnetID != "":
		errs.Add(spec.NewFieldError("delegated_subnet_id", spec.KindPrivateServer,
			"cannot be set on a replica of %s, which has public access: a replica has its source's network mode", src.Name))
	case src.DelegatedSubnetID != "" && d.DelegatedSubnetID == "" && d.Location == src.Location:
		d.DelegatedSubnetID, d.PrivateDNSZoneID = src.DelegatedSubnetID, src.PrivateDNSZoneID
	case src.DelegatedSubnetID != "" && d.DelegatedSubnetID == "":
		errs.Add(spec.NewFieldError("delegated_subnet_id", spec.KindRequired,
			"is required for a replica of private server %s in another region (%s, the source is in %s): name a delegated subnet of a VNet in %s, and private_dns_zone_id",
			src.Name, d.Location, src.Location, d.Location))
	}
	pub := d.DelegatedSubnetID == ""
	d.PublicNetworkAccessEnabled = &pub
	return d, errs
}

// copyServerChildren gives a new replica its source's firewall rules and parameter overrides, as the service
// does at creation; afterwards each server's change independently.
func copyServerChildren(tx *store.Tx, from, to string) error {
	rules, err := tx.ListFirewallRules(from)
	if err != nil {
		return err
	}
	for _, r := range rules {
		r.Server = to
		r.Rule.ServerName = to
		r.Rule.ID = spec.FirewallRuleID(to, r.Rule.Name)
		if err := tx.PutFirewallRule(r); err != nil {
			return err
		}
	}
	confs, err := tx.ListConfigurations(from)
	if err != nil {
		return err
	}
	for _, c := range confs {
		c.Server = to
		if err := tx.PutConfiguration(c); err != nil {
			return err
		}
	}
	return nil
}

// updateReplica applies an in-place change of a replica: its size (which stays at least its primary's).
// Immutable fields need a new replica; promotions are replication_role changes.
func (a *API) updateReplica(tx *store.Tx, existing store.Server, req model.Server) (store.Operation, error) {
	name := existing.Spec.Name
	if err := checkIdle(tx, existing); err != nil {
		return store.Operation{}, err
	}
	old := existing.Spec
	// What the request leaves empty keeps its value; the replica's field table decides what may change.
	want := req
	want.SourceServerID = cmp.Or(req.SourceServerID, old.SourceServerID)
	want.Location, want.Zone = cmp.Or(req.Location, old.Location), cmp.Or(req.Zone, old.Zone)
	want.DelegatedSubnetID = cmp.Or(req.DelegatedSubnetID, old.DelegatedSubnetID)
	want.PrivateDNSZoneID = cmp.Or(req.PrivateDNSZoneID, old.PrivateDNSZoneID)
	want.SKUName, want.StorageMB = cmp.Or(req.SKUName, old.SKUName), cmp.Or(req.StorageMB, old.StorageMB)
	want.ReplicationRole = cmp.Or(req.ReplicationRole, spec.ReplicationRoleAsyncReplica)
	want.PromoteOption = cmp.Or(req.PromoteOption, old.PromoteOption)
	if errs := spec.ValidateReplicaUpdate(replicaConfig(old), replicaConfig(want)); len(errs) > 0 {
		return store.Operation{}, errs
	}
	desired := old
	desired.SKUName, desired.StorageMB, desired.AutoGrowEnabled = want.SKUName, want.StorageMB, want.AutoGrowEnabled
	desired.StorageTier, _ = spec.DefaultStorageTier(want.StorageMB)
	desired.Tags, desired.MaintenanceWindow, desired.PromoteOption = req.Tags, req.MaintenanceWindow, want.PromoteOption
	if want.ReplicationRole != cmp.Or(old.ReplicationRole, spec.ReplicationRoleAsyncReplica) {
		return a.promoteReplica(tx, existing, desired, want.ReplicationRole)
	}
	if existing.IsReplica() {
		up, err := tx.GetServer(existing.Replication.Upstream)
		if err != nil {
			return store.Operation{}, err
		}
		if errs := spec.ValidateReplicaSize(spec.Size{SKUName: up.Spec.SKUName, StorageMB: up.Spec.StorageMB}, up.Spec.AutoGrowEnabled,
			spec.Size{SKUName: desired.SKUName, StorageMB: desired.StorageMB}, desired.AutoGrowEnabled); len(errs) > 0 {
			return store.Operation{}, errs
		}
	}
	payload, _ := json.Marshal(controller.UpdatePayload{Old: old, New: desired})
	op := a.cfg.Ops.NewOperation(controller.KindServerUpdate, spec.ServerID(name), name, payload)
	return op, tx.HoldServer(existing, op, store.PhaseUpdating)
}

// holdUpstream holds a replica's primary as Updating for op (a delete or promotion of the replica). A busy
// primary makes the request wait (409), as any management operation on it would.
func (a *API) holdUpstream(tx *store.Tx, replica store.Server, op *store.Operation) error {
	up, err := tx.GetServer(replica.Replication.Upstream)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := checkIdle(tx, up); err != nil {
		return err
	}
	return tx.HoldPartner(up, op, store.PhaseUpdating)
}

// promoteReplica starts a promotion of a replica (replication_role to Primary or None), after seed 004's
// checks, which a forced promotion skips: both servers Ready, and for a promotion to primary server,
// symmetry and a virtual endpoint whose reader targets the replica.
func (a *API) promoteReplica(tx *store.Tx, existing store.Server, desired model.Server, role string) (store.Operation, error) {
	name := existing.Spec.Name
	if role == spec.ReplicationRoleAsyncReplica {
		return a.swapBack(tx, existing, desired)
	}
	if !existing.IsReplica() {
		return store.Operation{}, conflictf("server %s does not stream from a primary now; there is nothing to promote", name)
	}
	up, err := tx.GetServer(existing.Replication.Upstream)
	if err != nil {
		return store.Operation{}, err
	}
	option := cmp.Or(desired.PromoteOption, spec.PromoteOptionPlanned)
	if role == spec.ReplicationRolePrimary && up.Spec.HighAvailability != nil {
		return store.Operation{}, conflictf("server %s has high availability: it cannot become a read replica of %s; "+
			"remove its high_availability block first, then promote", up.Spec.Name, name)
	}
	facts, err := a.promotionFacts(tx, existing, up, role, option)
	if err != nil {
		return store.Operation{}, err
	}
	if fe := spec.PromotionBlocked(facts); fe != nil {
		return store.Operation{}, spec.FieldErrors{fe}
	}
	if err := checkIdle(tx, up); err != nil {
		return store.Operation{}, err
	}
	desired.ReplicationRole, desired.PromoteOption = role, option
	payload, _ := json.Marshal(controller.PromotePayload{Role: role, Option: option, From: up.Spec.Name, Desired: desired})
	op := a.cfg.Ops.NewOperation(controller.KindReplicaPromote, spec.ServerID(name), name, payload)
	if err := tx.HoldPartner(up, &op, store.PhaseUpdating); err != nil {
		return op, err
	}
	return op, tx.HoldServer(existing, op, store.PhaseUpdating)
}

// promotionFacts gathers what spec.PromotionBlocked decides on.
func (a *API) promotionFacts(tx *store.Tx, replica, primary store.Server, role, option string) (spec.PromotionFacts, error) {
	rValues, _, err := a.parameterValues(tx, replica)
	if err != nil {
		return spec.PromotionFacts{}, err
	}
	pValues, _, err := a.parameterValues(tx, primary)
	if err != nil {
		return spec.PromotionFacts{}, err
	}
	reader, err := readerTargets(tx, primary.Spec.Name, replica.Spec.Name)
	if err != nil {
		return spec.PromotionFacts{}, err
	}
	return spec.PromotionFacts{Role: role, Option: option,
		Replica:       spec.Size{SKUName: replica.Spec.SKUName, StorageMB: replica.Spec.StorageMB},
		Primary:       spec.Size{SKUName: primary.Spec.SKUName, StorageMB: primary.Spec.StorageMB},
		ReplicaParams: rValues, PrimaryParams: pValues,
		ReplicaReady: replica.Phase == store.PhaseReady, PrimaryReady: primary.Phase == store.PhaseReady,
		ReaderTargetsReplica: reader}, nil
}

// readerTargets reports whether a virtual endpoint over primary has replica as its reader.
func readerTargets(tx *store.Tx, primary, replica string) (bool, error) {
	eps, err := tx.VirtualEndpointsOver(primary)
	if err != nil {
		return false, err
	}
	for _, ep := range eps {
		if ep.Reader == replica {
			return true, nil
		}
	}
	return false, nil
}

// serverMetrics answers the server's replication metrics, read from PostgreSQL now.
func (a *API) serverMetrics(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("server")
	if err := a.cfg.Store.View(func(tx *store.Tx) error { _, err := serverFor(tx, name); return err }); err != nil {
		a.fail(w, err)
		return
	}
	m, err := a.cfg.Ops.Metrics(r.Context(), name)
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// checkAgainstReplicas applies the rules a primary's change must keep with its read replicas: it never
// outgrows the smallest (scale the replicas up first, seed 004), it keeps no high availability while it is
// a replica itself (the old primary after a promotion to primary server), and a replica stops only after
// its primary.
func checkAgainstReplicas(tx *store.Tx, existing store.Server, desired model.Server) error {
	if existing.IsReplica() {
		if desired.HighAvailability != nil {
			return spec.FieldErrors{spec.NewFieldError("high_availability", spec.KindUnsupported,
				"cannot be enabled on %s while it is a read replica of %s (high availability is not available on replicas)",
				existing.Spec.Name, existing.Replication.Upstream)}
		}
		if desired.State == spec.StateStopped && existing.Spec.State != spec.StateStopped {
			if err := checkStopOrder(tx, existing); err != nil {
				return err
			}
		}
	}
	replicas, err := tx.ReplicasOf(existing.Spec.Name)
	if err != nil || len(replicas) == 0 {
		return err
	}
	sizes := map[string]spec.Size{}
	for _, r := range replicas {
		sizes[r.Spec.Name] = spec.Size{SKUName: r.Spec.SKUName, StorageMB: r.Spec.StorageMB}
	}
	if errs := spec.ValidatePrimaryScale(spec.Size{SKUName: desired.SKUName, StorageMB: desired.StorageMB}, sizes); len(errs) > 0 {
		return errs
	}
	return nil
}

// checkStopOrder: a replica stops only once its primary is stopped (seed 004, power operations).
func checkStopOrder(tx *store.Tx, replica store.Server) error {
	up, err := tx.GetServer(replica.Replication.Upstream)
	if err != nil || up.Phase == store.PhaseStopped {
		return nil
	}
	return conflictf("read replica %s can only be stopped after its primary %s: stop %s first (Terraform does when both change, since the replica depends on it)",
		replica.Spec.Name, up.Spec.Name, up.Spec.Name)
}

// holdStoppedReplicas holds the stopped replicas of a primary that is asked to start: the start starts them
// first, since the service starts replicas before their primary (seed 004, power operations).
func holdStoppedReplicas(tx *store.Tx, primary store.Server, op *store.Operation) error {
	replicas, err := tx.ReplicasOf(primary.Spec.Name)
	if err != nil {
		return err
	}
	for _, r := range replicas {
		if r.Phase != store.PhaseStopped {
			continue
		}
		if err := checkIdle(tx, r); err != nil {
			return err
		}
		if err := tx.HoldPartner(r, op, store.PhaseStarting); err != nil {
			return err
		}
	}
	return nil
}

// checkReplicaVNets: a private replica in another virtual network than its source replicates through the
// two delegated subnets, which must not overlap (their addresses would be ambiguous to each other).
func checkReplicaVNets(tx *store.Tx, src, replica model.Server) error {
	if src.DelegatedSubnetID == "" || replica.DelegatedSubnetID == "" || src.DelegatedSubnetID == replica.DelegatedSubnetID {
		return nil
	}
	prefix := func(id string) string {
		vnet, name, err := spec.ParseSubnetID(id)
		if err != nil {
			return ""
		}
		sub, err := tx.GetSubnet(vnet, name)
		if err != nil {
			return ""
		}
		return sub.Subnet.AddressPrefix
	}
	a, b := prefix(replica.DelegatedSubnetID), prefix(src.DelegatedSubnetID)
	if a != "" && b != "" && spec.PrefixesOverlap(a, b) {
		return spec.FieldErrors{spec.NewFieldError("delegated_subnet_id", spec.KindOverlap,
			"names a subnet (%s) that overlaps the source's delegated subnet (%s): a replica in another virtual network needs addresses of its own", a, b)}
	}
	return nil
}

// swapBack reverses a promotion to primary server: replication_role back to AsyncReplica on the promoted
// replica promotes the old primary, which streams from it now, to primary server again (the same
// operation, checks and endpoint moves, in the other direction).
func (a *API) swapBack(tx *store.Tx, promoted store.Server, desired model.Server) (store.Operation, error) {
	name := promoted.Spec.Name
	if promoted.IsReplica() || promoted.Promotion == nil || promoted.Promotion.Role != spec.ReplicationRolePrimary {
		return store.Operation{}, conflictf("server %s was not promoted to primary server; there is nothing to swap back", name)
	}
	old, err := tx.GetServer(promoted.Promotion.From)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!old.IsReplica() || old.Replication.Upstream != name)) {
		return store.Operation{}, conflictf("the old primary %s is not a read replica of %s now; the roles cannot be swapped back", promoted.Promotion.From, name)
	}
	if err != nil {
		return store.Operation{}, err
	}
	if err := checkIdle(tx, old); err != nil {
		return store.Operation{}, err
	}
	option := cmp.Or(desired.PromoteOption, spec.PromoteOptionPlanned)
	facts, err := a.promotionFacts(tx, old, promoted, spec.ReplicationRolePrimary, option)
	if err != nil {
		return store.Operation{}, err
	}
	if fe := spec.PromotionBlocked(facts); fe != nil {
		return store.Operation{}, spec.FieldErrors{fe}
	}
	payload, _ := json.Marshal(controller.PromotePayload{Role: spec.ReplicationRolePrimary, Option: option, From: name, Desired: old.Spec})
	op := a.cfg.Ops.NewOperation(controller.KindReplicaPromote, spec.ServerID(old.Spec.Name), old.Spec.Name, payload)
	if err := tx.HoldPartner(promoted, &op, store.PhaseUpdating); err != nil {
		return op, err
	}
	return op, tx.HoldServer(old, op, store.PhaseUpdating)
}

// deleteChecks applies the delete rules of seed 004: a server with read replicas cannot be deleted (409
// naming them), nor one a virtual endpoint uses. The one exception is a replica promoted to primary server
// whose only replica is the old primary it swapped roles with: its delete hands the primary role back to that
// server first, which it returns, so that destroying a configuration right after a switchover works.
func (a *API) deleteChecks(tx *store.Tx, s store.Server) (*store.Server, error) {
	name := s.Spec.Name
	replicas, err := tx.ReplicasOf(name)
	if err != nil {
		return nil, err
	}
	if err := virtualEndpointsBlockDelete(tx, name); err != nil {
		return nil, err
	}
	if len(replicas) == 1 && s.Spec.CreateMode == spec.CreateModeReplica && s.Promotion != nil &&
		s.Promotion.Role == spec.ReplicationRolePrimary && replicas[0].Spec.Name == s.Promotion.From {
		return &replicas[0], nil
	}
	var names []string
	for _, r := range replicas {
		names = append(names, r.Spec.Name)
	}
	if why := spec.DeleteBlockedByReplicas(name, names); why != "" {
		return nil, conflictf("%s", why)
	}
	return nil, nil
}
