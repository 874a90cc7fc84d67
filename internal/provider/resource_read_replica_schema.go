package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexpg/terraform-provider-flexpg/internal/provider/planmodifiers"
	"github.com/flexpg/terraform-provider-flexpg/internal/provider/validators"
	"github.com/flexpg/terraform-provider-flexpg/internal/spec"
)

// readReplicaSchema is the flexpg_read_replica schema. Attributes are alphabetical. What a replica takes from
// its source when unset (region, size, auto-grow, network) is Optional and Computed, and kept once known
// (UseStateForUnknown), so the source's values never show as a diff. The spec field table adds
// RequiresReplace (withFieldTable). Every rule the configuration alone decides is checked at plan time
// (ValidateConfig, ModifyPlan); the rules against the source need the cloud's state and are checked at apply.
func readReplicaSchema(ctx context.Context) schema.Schema {
	inherited := func(what string) string {
		return fmt.Sprintf(" Unset, the replica takes the source's %s, and the value the cloud reports is kept.", what)
	}
	return withFieldTable(schema.Schema{
		MarkdownDescription: "Manages a read replica: a server of its own (real PostgreSQL in Docker) that streams " +
			"the WAL of a primary `flexpg_server` asynchronously (physical replication) and serves reads. It " +
			"inherits the primary's version, administrator, firewall rules and server parameters at creation. " +
			fmt.Sprintf("A primary may have up to %d replicas; a replica has no high availability and no backups. ", spec.MaxReplicas) +
			"Changing `replication_role` promotes it.\n\n" + replicaPromotionDescription,
		Attributes: map[string]schema.Attribute{
			"auto_grow_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the cloud grows `storage_mb` when the disk is 95% full. It must equal the " +
					"source's (checked at apply). Unset, the provider reads the source's value when it creates the " +
					"replica and sends it.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"delegated_subnet_id": optionalKept("ID of a delegated subnet (`/" + spec.CollectionVirtualNetworks + "/<vnet>/" +
				spec.CollectionSubnets + "/<subnet>`) for a private replica; requires `private_dns_zone_id`. A " +
				"replica has its source's network mode: the replica of a public server is public and takes " +
				"neither; the replica of a private server in the source's region takes the source's subnet and " +
				"zone when both are unset, and in another region must name a subnet of a network there."),
			"fqdn": computedKept("Fully qualified domain name of the replica, `<name>." + spec.DNSSuffix + "`."),
			"host": computedKept("Host address on this machine that reaches the replica (`127.0.0.1`); null for private replicas."),
			"id":   computedKept("ID of the replica, `/" + spec.CollectionServers + "/<name>`, like any server's."),
			"location": optionalKept("Region of the replica; " + validators.Location().MarkdownDescription(ctx) +
				". A replica in another region than its source is a geo-replica." + inherited("region")),
			"name": serverNameAttribute(ctx, "Name of the replica, a server name like any other: the first label of its FQDN."),
			"port": computedKeptPort("Port on `host` that reaches the replica. Null for private replicas."),
			"private_dns_zone_id": optionalKept("ID of the private DNS zone (`/" + spec.CollectionPrivateDNSZones + "/<zone>`) of a " +
				"private replica; required with `delegated_subnet_id`, and only with it. The zone's name must end in `." +
				spec.DNSSuffix + "` and must not be the replica's own FQDN. Unset with an unset subnet, a replica " +
				"of a private source in the source's region takes the source's zone."),
			"promote_option": optionalWithDefault("How a promotion (a change of `replication_role`) treats WAL the "+
				"replica has not replayed yet; one of "+spec.MarkdownList(spec.PromoteOptions())+". `"+spec.PromoteOptionPlanned+
				"` waits until the replica has everything its primary wrote and loses nothing; it needs both "+
				"servers `Ready`. `"+spec.PromoteOptionForced+"` promotes at once, skipping every check (also "+
				"the symmetry and virtual endpoint a promotion to `"+spec.ReplicationRolePrimary+"` needs), and "+
				"may lose up to the lag.", spec.PromoteOptionPlanned),
			"replication_role": optionalWithDefault("Role of the replica; one of "+spec.MarkdownList(spec.ReplicationRoles())+". "+
				"It must be `"+spec.ReplicationRoleAsyncReplica+"` (the default) at create; changing it "+
				"promotes the replica in place, as `promote_option` says. `"+spec.ReplicationRolePrimary+"` "+
				"promotes it to primary server, a switchover: the roles swap, this server becomes the primary and "+
				"its source replicates from it; setting `"+spec.ReplicationRoleAsyncReplica+"` again swaps them "+
				"back, the same way in the other direction. It needs the same `sku_name` and `storage_mb` as the "+
				"source, a source without high availability, equal values of the "+
				"parameters that size shared memory, and a `flexpg_virtual_endpoint` on the source whose "+
				"`replica_server_id` is this replica, unless `promote_option` is `"+spec.PromoteOptionForced+
				"`. `"+spec.ReplicationRoleNone+"` promotes it to an independent server and removes it from "+
				"replication; that is irreversible, so it must then stay `"+spec.ReplicationRoleNone+"`.",
				spec.ReplicationRoleAsyncReplica),
			"replication_state": schema.StringAttribute{
				MarkdownDescription: "State of the replication as the cloud reports it; one of " +
					spec.MarkdownList(spec.ReplicationStates()) + ". `" + spec.ReplicationStateActive + "` once the " +
					"replica streams from its primary (a create waits for it); a promotion walks `" +
					spec.ReplicationStateReconfiguring + "`, `" + spec.ReplicationStateUpdating + "`, `" +
					spec.ReplicationStateCatchup + "` and ends `" + spec.ReplicationStateActive + "`, which a " +
					"promoted server keeps.",
				Computed: true,
			},
			"sku_name": schema.StringAttribute{
				MarkdownDescription: "Compute size; one of " + spec.MarkdownList(replicaSKUNames()) + ": read replicas are " +
					"available on the GeneralPurpose and MemoryOptimized tiers, not on Burstable. It must have at " +
					"least the vCores and memory of the source's (checked at apply). Scaling is an in-place change: " +
					"scale a replica up before its primary, and its primary down before it." + inherited("size"),
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{validators.SKUName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"source_server_id": schema.StringAttribute{
				MarkdownDescription: "ID of the primary server to replicate (`flexpg_server.<name>.id`). The source " +
					"must be a running GeneralPurpose or MemoryOptimized server that is not a read replica itself " +
					fmt.Sprintf("(no cascading) and has fewer than %d replicas; the cloud checks this at apply. ", spec.MaxReplicas) +
					"It reads back as set, also after a promotion.",
				Required:   true,
				Validators: []validator.String{validators.ServerID("source_server_id")},
			},
			"storage_mb": schema.Int64Attribute{
				MarkdownDescription: "Storage size in MB; " + validators.StorageMB().MarkdownDescription(ctx) + ". It must " +
					"be at least the source's (checked at apply) and can only grow, in place: a smaller value is a " +
					"plan-time error (with `auto_grow_enabled`, a size the cloud has grown to is kept instead). Grow a " +
					"replica before its primary." + inherited("size"),
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{validators.StorageMB()},
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
					planmodifiers.KeepAutoGrownStorage(path.Root("auto_grow_enabled")),
				},
			},
			"tags": schema.MapAttribute{
				MarkdownDescription: "Tags of the replica.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"version": computedKept("PostgreSQL major version, the source's."),
			"zone": optionalKept("Availability zone of the replica, one of the region's zones. Unset, the cloud " +
				"picks one and the zone it reports is kept."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}, spec.ReplicaFields())
}

// replicaPromotionDescription says how promotions show in Terraform; it is part of the resource's description.
const replicaPromotionDescription = "**Promotions.** Set `replication_role` to `" + spec.ReplicationRolePrimary +
	"` to switch over: this replica becomes the primary and the source server its replica. The configuration " +
	"that made the servers still plans empty afterwards: `source_server_id` reads back as set and a " +
	"`flexpg_virtual_endpoint` keeps its ID, while its writer and reader names follow the roles (the reader " +
	"then reaches the former primary, so it serves a swap back too). A server with read replicas cannot be " +
	"deleted, and Terraform destroys a replica before the server its `source_server_id` names, so before " +
	"destroying everything after a switchover, swap the roles back (`replication_role = \"" +
	spec.ReplicationRoleAsyncReplica + "\"`, then apply); or destroy the former primary first: remove its " +
	"`flexpg_server` (and the virtual endpoint on it) from the configuration, set this replica's " +
	"`source_server_id` to the ID itself (`\"/" + spec.CollectionServers + "/<name>\"`, so nothing else " +
	"changes) and apply; then destroy the replica. Set `replication_role` to `" + spec.ReplicationRoleNone +
	"` to make the replica an independent server for good; destroying it afterwards deletes only it."

// replicaSKUNames are the catalog SKUs a replica may have: every SKU but the Burstable ones.
func replicaSKUNames() []string {
	var names []string
	for _, name := range spec.SKUNames() {
		if sku, ok := spec.LookupSKU(name); ok && sku.Tier != spec.TierBurstable {
			names = append(names, name)
		}
	}
	return names
}
