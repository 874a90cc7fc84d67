// Package api is the cloud's HTTP API. Handlers decode a request, check it against the rules in spec,
// record the desired state and an operation in one transaction, start the operation and answer 202 with
// it. They never touch Docker or PostgreSQL themselves.
package api

import (
	"context"
	"crypto/subtle"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/controller"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/store"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// Operations is the controller as the API uses it.
type Operations interface {
	NewOperation(kind, resourceID, server string, payload []byte) store.Operation
	Launch(op store.Operation)
	Logs(ctx context.Context, server string, tail int, w io.Writer) error
	Housekeep()
	Fault(ctx context.Context, f model.Fault) (model.FaultResult, error)
	Metrics(ctx context.Context, server string) (model.Metrics, error)
}

// StatusFunc audits what the cloud owns on the machine.
type StatusFunc func(ctx context.Context) (model.Status, error)

var _ Operations = (*controller.Controller)(nil)

// Config wires the API.
type Config struct {
	CloudID string
	Version string
	Build   string // identity of the binary (buildid.Of), reported by health
	Token   string
	Store   *store.Store
	Ops     Operations
	CAPEM   []byte
	Scale   spec.Scale // how SKU-derived defaults are computed, as the controller does
	Logger  *slog.Logger
	Status  StatusFunc
	// AdvanceClock moves the cloud's clock forward (nil: the clock cannot be moved).
	AdvanceClock func(time.Duration) time.Time
	// Clock is the cloud's clock (nil: the wall clock); WallTime turns its times into the machine's (nil:
	// the same), for the restore targets PostgreSQL compares with commit timestamps.
	Clock    func() time.Time
	WallTime func(time.Time) time.Time
}

// API serves the routes.
type API struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// New builds the handler.
func New(cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.WallTime == nil {
		cfg.WallTime = func(t time.Time) time.Time { return t }
	}
	a := &API{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	a.routes()
	return a
}

func (a *API) routes() {
	v := model.APIVersion
	a.mux.HandleFunc("GET "+v+"/health", a.health)
	a.handle("GET "+v+"/caCertificate", a.caCertificate)
	a.handle("GET "+v+"/operations", a.listOperations)
	a.handle("GET "+v+"/operations/{id}", a.getOperation)
	a.handle("GET "+v+"/status", a.status)
	a.handle("GET "+v+"/clock", a.getClock)
	a.handle("POST "+v+"/clock", a.advanceClock)
	a.handle("POST "+v+"/faults", a.injectFault)

	a.handle("GET "+v+"/flexibleServers", a.listServers)
	a.handle("GET "+v+"/flexibleServers/{server}", a.getServer)
	a.handle("PUT "+v+"/flexibleServers/{server}", a.putServer)
	a.handle("DELETE "+v+"/flexibleServers/{server}", a.deleteServer)
	a.handle("POST "+v+"/flexibleServers/{server}/{action}", a.serverAction)
	a.handle("GET "+v+"/flexibleServers/{server}/logs", a.serverLogs)
	a.handle("GET "+v+"/flexibleServers/{server}/metrics", a.serverMetrics)
	a.handle("GET "+v+"/flexibleServers/{server}/backups", a.listBackups)

	a.handle("GET "+v+"/flexibleServers/{server}/firewallRules", a.listFirewallRules)
	a.handle("GET "+v+"/flexibleServers/{server}/firewallRules/{name}", a.getFirewallRule)
	a.handle("PUT "+v+"/flexibleServers/{server}/firewallRules/{name}", a.putFirewallRule)
	a.handle("DELETE "+v+"/flexibleServers/{server}/firewallRules/{name}", a.deleteFirewallRule)

	a.handle("GET "+v+"/flexibleServers/{server}/configurations", a.listConfigurations)
	a.handle("GET "+v+"/flexibleServers/{server}/configurations/{name}", a.getConfiguration)
	a.handle("PUT "+v+"/flexibleServers/{server}/configurations/{name}", a.putConfiguration)
	a.handle("DELETE "+v+"/flexibleServers/{server}/configurations/{name}", a.resetConfiguration)

	a.handle("GET "+v+"/flexibleServers/{server}/virtualEndpoints", a.listVirtualEndpoints)
	a.handle("GET "+v+"/flexibleServers/{server}/virtualEndpoints/{name}", a.getVirtualEndpoint)
	a.handle("PUT "+v+"/flexibleServers/{server}/virtualEndpoints/{name}", a.putVirtualEndpoint)
	a.handle("DELETE "+v+"/flexibleServers/{server}/virtualEndpoints/{name}", a.deleteVirtualEndpoint)

	a.handle("GET "+v+"/flexibleServers/{server}/databases", a.listDatabases)
	a.handle("GET "+v+"/flexibleServers/{server}/databases/{name}", a.getDatabase)
	a.handle("PUT "+v+"/flexibleServers/{server}/databases/{name}", a.putDatabase)
	a.handle("DELETE "+v+"/flexibleServers/{server}/databases/{name}", a.deleteDatabase)

	a.handle("GET "+v+"/virtualNetworks", a.listVirtualNetworks)
	a.handle("GET "+v+"/virtualNetworks/{vnet}", a.getVirtualNetwork)
	a.handle("PUT "+v+"/virtualNetworks/{vnet}", a.putVirtualNetwork)
	a.handle("DELETE "+v+"/virtualNetworks/{vnet}", a.deleteVirtualNetwork)
	a.handle("GET "+v+"/virtualNetworks/{vnet}/subnets", a.listSubnets)
	a.handle("GET "+v+"/virtualNetworks/{vnet}/subnets/{subnet}", a.getSubnet)
	a.handle("PUT "+v+"/virtualNetworks/{vnet}/subnets/{subnet}", a.putSubnet)
	a.handle("DELETE "+v+"/virtualNetworks/{vnet}/subnets/{subnet}", a.deleteSubnet)
	a.handle("GET "+v+"/privateDnsZones/{zone}", a.getPrivateDNSZone)
	a.handle("PUT "+v+"/privateDnsZones/{zone}", a.putPrivateDNSZone)
	a.handle("DELETE "+v+"/privateDnsZones/{zone}", a.deletePrivateDNSZone)
	a.handle("GET "+v+"/privateDnsZones/{zone}/virtualNetworkLinks/{link}", a.getPrivateDNSZoneLink)
	a.handle("PUT "+v+"/privateDnsZones/{zone}/virtualNetworkLinks/{link}", a.putPrivateDNSZoneLink)
	a.handle("DELETE "+v+"/privateDnsZones/{zone}/virtualNetworkLinks/{link}", a.deletePrivateDNSZoneLink)
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// handle registers a route that needs the bearer token.
func (a *API) handle(pattern string, h http.HandlerFunc) {
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !a.authorized(r) {
			writeError(w, http.StatusUnauthorized, model.Error{Code: model.CodeUnauthorized,
				Message: "missing or wrong bearer token; the local cloud's token is in its info file (see `terraform-provider-flexpg cloud status`)"})
			return
		}
		h(w, r)
	})
}

func (a *API) authorized(r *http.Request) bool {
	const prefix = "Bearer "
	got := r.Header.Get("Authorization")
	if len(got) <= len(prefix) || got[:len(prefix)] != prefix {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got[len(prefix):]), []byte(a.cfg.Token)) == 1
}

func (a *API) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, model.Health{CloudID: a.cfg.CloudID, Version: a.cfg.Version, Build: a.cfg.Build})
}

func (a *API) caCertificate(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, model.CACertificate{CertificatePEM: string(a.cfg.CAPEM)})
}

func (a *API) status(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Status == nil {
		notFound(w, "status is not available")
		return
	}
	st, err := a.cfg.Status(r.Context())
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// getClock answers the cloud's time. Restore times and backup times are on this clock, which differs from
// the machine's once it has been advanced, so a client choosing a restore target reads it here.
func (a *API) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, model.Clock{Now: a.cfg.Clock().UTC()})
}

// advanceClock moves the cloud's clock forward and runs the housekeeping that depends on time at once.
func (a *API) advanceClock(w http.ResponseWriter, r *http.Request) {
	var req model.ClockAdvance
	if !decode(w, r, &req) {
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d <= 0 {
		invalidField(w, "advance", "advance must be a positive duration such as 168h or 30m; got %q", req.Advance)
		return
	}
	if a.cfg.AdvanceClock == nil {
		notFound(w, "this cloud's clock cannot be advanced")
		return
	}
	now := a.cfg.AdvanceClock(d)
	a.cfg.Ops.Housekeep()
	writeJSON(w, http.StatusOK, model.Clock{Now: now})
}
