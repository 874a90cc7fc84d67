package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/postgres"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

func (a *API) listServers(w http.ResponseWriter, r *http.Request) {
	readList(a, w, func(tx *store.Tx) ([]model.Server, error) {
		servers, err := tx.ListServers()
		return each(servers, err, presentIn(tx, a.cfg.Clock().UTC()))
	})
}

func (a *API) getServer(w http.ResponseWriter, r *http.Request) {
	readOne(a, w, func(tx *store.Tx) (model.Server, error) {
		s, err := serverFor(tx, r.PathValue("server"))
		return presentIn(tx, a.cfg.Clock().UTC())(s), err
	})
}

// putServer creates or updates a server (create-or-update, as ARM does). With If-None-Match: * it only
// creates, and an existing server is a 409 AlreadyExists.
func (a *API) putServer(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("server")
	var req model.Server
	if !decode(w, r, &req) {
		return
	}
	if req.Name == "" {
		req.Name = name
	}
	if req.Name != name {
		invalidField(w, "name", "name %q in the body differs from %q in the path", req.Name, name)
		return
	}
	if req.CreateMode == spec.CreateModeReplica {
		a.putReplica(w, r, req)
		return
	}
	if spec.IsRestoreMode(req.CreateMode) && !a.exists(name) {
		a.putRestore(w, r, req)
		return
	}
	desired := withDefaults(req)
	errs := spec.ValidateServer(serverConfig(desired))
	if a.exists(name) {
		errs = withoutRule(errs, spec.Rule("administrator_password", spec.KindRequired)) // on an update, no password = unchanged
	}
	if len(errs) > 0 {
		invalid(w, errs)
		return
	}
	verifier, err := verifierOf(req.AdministratorPassword)
	if err != nil {
		a.fail(w, err)
		return
	}
	desired.AdministratorPassword = "" // only the verifier is kept, and only until the operation ends
	createOnly := r.Header.Get("If-None-Match") == "*"

	var op store.Operation
	err = a.cfg.Store.Update(func(tx *store.Tx) error {
		existing, err := tx.GetServer(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			op, err = a.createServer(tx, desired, verifier)
			return err
		case err != nil:
			return err
		case createOnly:
			return serverExists("flexpg_server", name)
		}
		op, err = a.updateServer(tx, existing, desired, verifier)
		return err
	})
	a.launch(w, op, err)
}

// serverExists is the refusal of a create-only PUT of a server that exists: import it instead.
func serverExists(resource, name string) error {
	return &apiErr{http.StatusConflict, model.Error{Code: model.CodeAlreadyExists,
		Message: "server " + name + " already exists; import it (terraform import " + resource + ".<name> " + spec.ServerID(name) + ") to manage it"}}
}

// launch starts the operation a transaction stored and answers 202 with it, or answers the transaction's
// error.
func (a *API) launch(w http.ResponseWriter, op store.Operation, err error) {
	if err != nil {
		a.fail(w, err)
		return
	}
	a.cfg.Ops.Launch(op)
	accepted(w, op)
}

func (a *API) createServer(tx *store.Tx, desired model.Server, verifier string) (store.Operation, error) {
	if err := checkPrivateAccess(tx, desired); err != nil {
		return store.Operation{}, err
	}
	if spec.IsDefaultMode(desired.CreateMode) {
		if verifier == "" {
			return store.Operation{}, spec.FieldErrors{spec.NewFieldError("administrator_password", spec.KindRequired,
				"(or administrator_password_wo) is required to create a server")}
		}
	}
	payload, _ := json.Marshal(controller.CreatePayload{Verifier: verifier})
	op := a.cfg.Ops.NewOperation(controller.KindServerCreate, spec.ServerID(desired.Name), desired.Name, payload)
	desired.State = spec.StateReady // a server is created running; a Stopped request stops it afterwards
	if desired.Zone == "" {
		// As the service does with "no preference": the cloud picks the zone, and reports it.
		if region, ok := spec.LookupRegion(desired.Location); ok && len(region.Zones) > 0 {
			desired.Zone = region.Zones[0]
		}
	}
	archive := newArchive(desired, op.StartedAt)
	archive.OpenPeriod(op.StartedAt) // a new server is a primary from the start
	s := store.Server{Spec: desired, Phase: store.PhaseProvisioning, ActiveOp: op.ID, CreatedAt: op.StartedAt, ArchiveID: archive.ID}
	if err := tx.PutServer(s); err != nil {
		return op, err
	}
	if err := tx.PutArchive(archive); err != nil {
		return op, err
	}
	return op, tx.PutOperation(op)
}

func (a *API) updateServer(tx *store.Tx, existing store.Server, desired model.Server, verifier string) (store.Operation, error) {
	name := existing.Spec.Name
	if existing.Spec.CreateMode == spec.CreateModeReplica {
		return store.Operation{}, conflictf("server %s is a read replica; manage it as a flexpg_read_replica", name)
	}
	if err := checkIdle(tx, existing); err != nil {
		return store.Operation{}, err
	}
	// Immutable fields first: such a change needs a new server, whatever else the request holds.
	if errs := spec.ValidateServerUpdate(serverConfig(existing.Spec), serverConfig(desired)); len(errs) > 0 {
		return store.Operation{}, errs
	}
	if desired.Version != existing.Spec.Version {
		return store.Operation{}, spec.FieldErrors{spec.NewFieldError("version", spec.KindUpgradeUnsupported,
			"cannot be upgraded in place (%s to %s) by this version of the flexpg cloud yet; keep version %s or replace the server",
			existing.Spec.Version, desired.Version, existing.Spec.Version)}
	}
	if desired.State == "" {
		desired.State = existing.Spec.State
	}
	if err := checkHAChange(existing, desired); err != nil {
		return store.Operation{}, err
	}
	if err := checkAgainstReplicas(tx, existing, desired); err != nil {
		return store.Operation{}, err
	}
	failover, err := zoneSwap(existing, desired)
	if err != nil {
		return store.Operation{}, err
	}
	if verifier != "" && desired.State == spec.StateStopped {
		return store.Operation{}, conflictf("server %s is stopped: the admin password can only change on a running server; set state = \"Ready\" in the same change", name)
	}
	payload, _ := json.Marshal(controller.UpdatePayload{Old: existing.Spec, New: desired, Verifier: verifier, Failover: failover})
	op := a.cfg.Ops.NewOperation(controller.KindServerUpdate, spec.ServerID(name), name, payload)
	return op, tx.HoldServer(existing, op, store.PhaseUpdating)
}

// checkHAChange refuses a change of high_availability in a state the service refuses it in: stopped,
// restarting or failing over, or together with a stop.
func checkHAChange(existing store.Server, desired model.Server) error {
	if reflect.DeepEqual(existing.Spec.HighAvailability, desired.HighAvailability) {
		return nil
	}
	why := spec.HAChangeBlocked(existing.Phase, existing.HA.State)
	if why == "" && desired.State == spec.StateStopped {
		why = "the same change stops the server; change high_availability first, then stop it"
	}
	if why == "" {
		return nil
	}
	return &apiErr{http.StatusConflict, model.Error{Code: model.CodeConflict, Field: "high_availability",
		Message: "high_availability of server " + existing.Spec.Name + " cannot change now: " + why}}
}

// zoneSwap recognises the change azurerm users make to fail a server with HA over on purpose: zone set to
// where the standby is (and standby_availability_zone, when given, to where the primary is). It is a
// planned failover, refused like one unless the server is Healthy. Any other zone change of a server with HA
// is refused: its zones only change by failing over.
func zoneSwap(existing store.Server, desired model.Server) (*controller.FailoverPayload, error) {
	primary, okP := existing.Primary()
	standby, okS := existing.Standby()
	if existing.Spec.HighAvailability == nil || desired.HighAvailability == nil || !okP || !okS ||
		desired.Zone == "" || desired.Zone == primary.Zone {
		return nil, nil
	}
	if desired.Zone != standby.Zone {
		return nil, spec.FieldErrors{spec.NewFieldError("zone", spec.KindFailoverOnly,
			"of a server with high availability changes only by a failover: the primary is in zone %s and the standby in zone %s; "+
				"set zone = %q (and standby_availability_zone = %q) to fail over, or keep zone = %q",
			primary.Zone, standby.Zone, standby.Zone, primary.Zone, primary.Zone)}
	}
	if want := desired.HighAvailability.StandbyAvailabilityZone; want != "" && want != primary.Zone {
		return nil, spec.FieldErrors{spec.NewFieldError("high_availability.standby_availability_zone", spec.KindFailoverOnly,
			"must be %q, the primary's zone, when zone moves to the standby's zone %s (a planned failover swaps the two); got %q",
			primary.Zone, standby.Zone, want)}
	}
	p, err := failoverPayload(existing, model.FailoverPlanned)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// checkIdle refuses a server-level change while another operation holds the server or it is failed.
func checkIdle(tx *store.Tx, s store.Server) error {
	if s.ActiveOp != "" {
		kind := ""
		if op, err := tx.GetOperation(s.ActiveOp); err == nil {
			kind = op.Kind
			if op.Server != "" && op.Server != s.Spec.Name {
				return partnerBusy(s.Spec.Name, op.Server, op.ID, kind)
			}
		}
		return busy(s.Spec.Name, s.ActiveOp, kind)
	}
	if s.Phase == store.PhaseDropping {
		return conflictf("server %s is being deleted", s.Spec.Name)
	}
	return nil
}

func (a *API) deleteServer(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("server")
	var op store.Operation
	err := a.cfg.Store.Update(func(tx *store.Tx) error {
		s, err := serverFor(tx, name)
		if err != nil {
			return err
		}
		if s.ActiveOp != "" {
			return checkIdle(tx, s)
		}
		handBack, err := a.deleteChecks(tx, s)
		if err != nil {
			return err
		}
		var payload []byte
		if handBack != nil {
			payload, _ = json.Marshal(controller.DeletePayload{HandBackTo: handBack.Spec.Name})
		}
		op = a.cfg.Ops.NewOperation(controller.KindServerDelete, spec.ServerID(name), name, payload)
		if handBack != nil {
			if err := checkIdle(tx, *handBack); err != nil {
				return err
			}
			if err := tx.HoldPartner(*handBack, &op, store.PhaseUpdating); err != nil {
				return err
			}
		}
		if s.IsReplica() {
			// Its primary drops the replica's slot: it is Updating meanwhile, as the service shows it.
			if err := a.holdUpstream(tx, s, &op); err != nil {
				return err
			}
		}
		return tx.HoldServer(s, op, store.PhaseDropping)
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	a.cfg.Ops.Launch(op)
	accepted(w, op)
}

// serverAction handles POST start | stop | restart.
func (a *API) serverAction(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("server"), r.PathValue("action")
	if action == "failover" {
		a.serverFailover(w, r, name)
		return
	}
	kinds := map[string]string{"start": controller.KindServerStart, "stop": controller.KindServerStop, "restart": controller.KindServerRestart}
	kind, ok := kinds[action]
	if !ok {
		notFound(w, "unknown server action %q: use start, stop, restart or failover", action)
		return
	}
	a.holdServer(w, name, kind, func(tx *store.Tx, s store.Server, op *store.Operation) ([]byte, string, error) {
		phase, err := actionPhase(s, action)
		if err != nil {
			return nil, "", err
		}
		switch {
		case action == "stop" && s.IsReplica():
			err = checkStopOrder(tx, s)
		case action == "start":
			err = holdStoppedReplicas(tx, s, op)
		}
		return nil, phase, err
	})
}

// holdServer starts an operation of kind on an idle server: decide checks the server's state and returns the
// operation's payload and the phase to show meanwhile; the hold and the operation are stored together.
func (a *API) holdServer(w http.ResponseWriter, name, kind string, decide func(*store.Tx, store.Server, *store.Operation) ([]byte, string, error)) {
	var op store.Operation
	err := a.cfg.Store.Update(func(tx *store.Tx) error {
		s, err := serverFor(tx, name)
		if err != nil {
			return err
		}
		if err := checkIdle(tx, s); err != nil {
			return err
		}
		op = a.cfg.Ops.NewOperation(kind, spec.ServerID(name), name, nil)
		payload, phase, err := decide(tx, s, &op)
		if err != nil {
			return err
		}
		op.Payload = payload
		return tx.HoldServer(s, op, phase)
	})
	a.launch(w, op, err)
}

// actionPhase checks that the action fits the server's state (as the service does: restart and stop need a
// started server, start needs a stopped one) and returns the phase to show meanwhile.
func actionPhase(s store.Server, action string) (string, error) {
	stopped := s.Phase == store.PhaseStopped
	switch {
	case action == "start" && !stopped:
		return "", conflictf("server %s is %s; only a stopped server can be started", s.Spec.Name, s.Phase)
	case action != "start" && s.Phase != store.PhaseReady:
		return "", conflictf("%s can only be performed on a started server; server %s is %s", action, s.Spec.Name, s.Phase)
	case action == "start":
		return store.PhaseStarting, nil
	case action == "stop":
		return store.PhaseStopping, nil
	}
	return store.PhaseRestarting, nil
}

func (a *API) serverLogs(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("server")
	tail := 200
	if t := r.URL.Query().Get("tail"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			invalidField(w, "tail", "tail must be a non-negative number of lines")
			return
		}
		tail = n
	}
	if err := a.cfg.Store.View(func(tx *store.Tx) error { _, err := serverFor(tx, name); return err }); err != nil {
		a.fail(w, err)
		return
	}
	var b strings.Builder
	if err := a.cfg.Ops.Logs(r.Context(), name, tail, &b); err != nil {
		a.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) exists(name string) bool {
	err := a.cfg.Store.View(func(tx *store.Tx) error { _, err := tx.GetServer(name); return err })
	return err == nil
}

// withoutRule drops the errors of one rule.
func withoutRule(errs spec.FieldErrors, rule spec.RuleID) spec.FieldErrors {
	var out spec.FieldErrors
	for _, e := range errs {
		if e.Rule != rule {
			out = append(out, e)
		}
	}
	return out
}

// checkPrivateAccess applies the private-access rules that need the cloud's state: the subnet and zone
// exist, the subnet is delegated to flexible servers, and its VNet is in the server's region.
func checkPrivateAccess(tx *store.Tx, s model.Server) error {
	if s.DelegatedSubnetID == "" {
		return nil
	}
	vnetName, subnetName, err := spec.ParseSubnetID(s.DelegatedSubnetID)
	if err != nil {
		return spec.FieldErrors{spec.NewFieldError("delegated_subnet_id", spec.KindFormat, "%s", err.Error())}
	}
	// A subnet or zone that an operation is changing (or deleting) takes no new server until it is done.
	if err := tx.CheckNotHeld(spec.SubnetID(vnetName, subnetName)); err != nil {
		return err
	}
	if zone, err := spec.ParsePrivateDNSZoneID(s.PrivateDNSZoneID); err == nil {
		if err := tx.CheckNotHeld(spec.PrivateDNSZoneID(spec.NormalizeDNSZoneName(zone))); err != nil {
			return err
		}
	}
	sub, err := tx.GetSubnet(vnetName, subnetName)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !sub.Ready) {
		return spec.FieldErrors{spec.NewFieldError("delegated_subnet_id", spec.KindExists,
			"names subnet %s, which does not exist (create it first, or add depends_on)", s.DelegatedSubnetID)}
	}
	if err != nil {
		return err
	}
	vnet, err := tx.GetVirtualNetwork(vnetName)
	if err != nil {
		return err
	}
	var errs spec.FieldErrors
	errs.Add(spec.ValidateServerSubnet(sub.Subnet.Delegation))
	errs.Add(spec.ValidateVNetRegion(vnet.VNet.Location, s.Location))
	zone, err := spec.ParsePrivateDNSZoneID(s.PrivateDNSZoneID)
	if err == nil {
		if _, err := tx.GetPrivateDNSZone(spec.NormalizeDNSZoneName(zone)); errors.Is(err, store.ErrNotFound) {
			errs.Add(spec.NewFieldError("private_dns_zone_id", spec.KindExists,
				"names private DNS zone %s, which does not exist (create it first, or add depends_on)", zone))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// verifierOf is the SCRAM verifier of a password given in a request ("" when none was): the only form of it
// the cloud keeps, and only until the operation that sets it ends.
func verifierOf(password string) (string, error) {
	if password == "" {
		return "", nil
	}
	return postgres.SCRAMVerifier(password)
}
