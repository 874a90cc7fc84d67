package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/client"
	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/model"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

var (
	_ resource.Resource                   = &readReplicaResource{}
	_ resource.ResourceWithModifyPlan     = &readReplicaResource{}
	_ resource.ResourceWithValidateConfig = &readReplicaResource{}
)

// NewReadReplicaResource is the flexpg_read_replica resource.
func NewReadReplicaResource() resource.Resource {
	r := &readReplicaResource{}
	r.plug("_read_replica", readReplicaSchema, replicaAPI{})
	return r
}

type readReplicaResource struct {
	resourceShape[readReplicaResourceModel, model.Server]
}

// replicaAPI plugs the cloud's read replicas into resourceShape. A replica is a server created with
// create_mode Replica, so it has the server calls; what only a replica does lives in its hooks: a create
// takes the source's auto-grow when none is configured, a Read refuses a server that is no replica, and a
// delete the cloud refuses because the replica has become a primary with replicas says what to do. The
// plan-time rules are the resource's own methods (resource_read_replica_plan.go).
type replicaAPI struct{ serverCalls }

// The shape finds hooks by type assertion; these make a mistyped one a compile error.
var (
	_ createStarter[model.Server]                             = replicaAPI{}
	_ createCompleter[readReplicaResourceModel, model.Server] = replicaAPI{}
	_ deleteConflictExplainer                                 = replicaAPI{}
)

func replicaObject(name string) object {
	return topObject("Read Replica", "read replica", spec.ServerID(name), name)
}

func (replicaAPI) object(m *readReplicaResourceModel, _ *diag.Diagnostics) object {
	return replicaObject(m.Name.ValueString())
}

func (replicaAPI) importObject(id string) (object, error) {
	name, err := spec.ParseServerID(id)
	return replicaObject(name), err
}

func (replicaAPI) timeouts(m *readReplicaResourceModel) timeouts.Value { return m.Timeouts }

func (replicaAPI) expand(ctx context.Context, plan, _ *readReplicaResourceModel, diags *diag.Diagnostics) model.Server {
	return expandReplica(ctx, *plan, diags)
}

// flatten refuses a server that was never a replica (no source, no role): importing a flexpg_server's ID as
// a flexpg_read_replica would otherwise adopt it and plan it as a replica of nothing.
func (replicaAPI) flatten(ctx context.Context, o object, s *model.Server, m *readReplicaResourceModel, diags *diag.Diagnostics) {
	if s.ReplicaOf == "" && s.ReplicationRole == "" {
		diags.AddError("Not a Read Replica", fmt.Sprintf("Server %q is not a read replica: it replicates from no "+
			"server and has no replication role. Manage it as a flexpg_server (terraform import "+
			"flexpg_server.<name> %s).", o.Name, o.ID))
		return
	}
	flattenReplica(ctx, s, m, diags)
}

// completeCreate sends the source's auto-grow when the configuration leaves it unset: the service requires a
// replica's auto-grow to equal its primary's, and the API takes a value, not "the source's".
func (replicaAPI) completeCreate(ctx context.Context, c *client.Client, plan *readReplicaResourceModel, body *model.Server,
	diags *diag.Diagnostics) {
	if !plan.AutoGrowEnabled.IsUnknown() {
		return
	}
	source := serverNameAt("source_server_id", plan.SourceServerID, diags)
	if diags.HasError() {
		return
	}
	s, err := c.GetServer(ctx, source)
	switch {
	case errors.Is(err, client.ErrNotFound):
		diags.AddAttributeError(path.Root("source_server_id"), "Error Creating Read Replica", fmt.Sprintf(
			"The source server %q does not exist: create it first (reference its id attribute, or add depends_on).", source))
		return
	case err != nil:
		addAPIError(diags, "Error Creating Read Replica", fmt.Sprintf("Could not read the source server %q, whose "+
			"auto_grow_enabled the replica takes", source), err)
		return
	}
	tflog.Debug(ctx, "the replica takes the source's auto-grow", map[string]any{"source": source, "auto_grow_enabled": s.AutoGrowEnabled})
	body.AutoGrowEnabled = s.AutoGrowEnabled
}

// remove deletes the replica. A replica promoted to primary server has its former primary as a replica now,
// and the service deletes no server with replicas; Terraform destroys a replica before the server its
// source_server_id names, so that is what a destroy after a switchover meets. Such a refusal comes back as
// a hasReplicasError, which explainDeleteConflict reports with the order that works.
func (a replicaAPI) remove(ctx context.Context, c *client.Client, o object) (*model.Operation, error) {
	op, err := a.serverCalls.remove(ctx, c, o)
	if !errors.Is(err, client.ErrConflict) || errors.Is(err, client.ErrBusy) {
		return op, err
	}
	s, getErr := c.GetServer(ctx, o.Name)
	if getErr != nil || len(s.Replicas) == 0 {
		return op, err // refused for another reason, which the cloud's message says
	}
	return nil, hasReplicasError{replicas: s.Replicas, sourceID: s.SourceServerID, err: err}
}

// hasReplicasError is the cloud's refusal to delete a replica that has replicas of its own.
type hasReplicasError struct {
	replicas []string // their IDs
	sourceID string   // the replica's source_server_id
	err      error
}

func (e hasReplicasError) Error() string { return e.err.Error() }
func (e hasReplicasError) Unwrap() error { return e.err }

func (replicaAPI) explainDeleteConflict(o object, err error, diags *diag.Diagnostics) bool {
	var e hasReplicasError
	if !errors.As(err, &e) {
		return false
	}
	diags.AddError("Read Replica Has Replicas", fmt.Sprintf("The cloud refused to delete %s: it was promoted to "+
		"primary server, and %s replicates from it now; a server with read replicas cannot be deleted.\n\n"+
		"Terraform destroys a replica before the server its source_server_id names. Swap the roles back first "+
		"(replication_role = %q, then apply; it needs the virtual endpoint whose reader is the former primary), "+
		"or destroy the former primary first: remove its flexpg_server (and the virtual endpoint on it) from the "+
		"configuration, set this replica's source_server_id to %q, and apply. Then destroy the replica.",
		o.What, strings.Join(e.replicas, ", "), spec.ReplicationRoleAsyncReplica, e.sourceID))
	return true
}
