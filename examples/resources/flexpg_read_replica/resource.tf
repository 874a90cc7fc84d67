# The replicas' source: a GeneralPurpose (or MemoryOptimized) server; Burstable servers take no replicas.
resource "flexpg_server" "example" {
  name                   = "example-pg"
  location               = "westeurope"
  sku_name               = "GP_Standard_D2s_v3"
  administrator_login    = "pgadmin"
  administrator_password = var.admin_password
}

# A replica that takes region, size, auto-grow and network from its source: connect to it like to any
# server (with the source's administrator) to read.
resource "flexpg_read_replica" "reporting" {
  name             = "example-pg-reporting"
  source_server_id = flexpg_server.example.id
}

# A geo-replica for disaster recovery, as large as its source so it can take the primary role. For a drill,
# set replication_role = "Primary" and apply: a switchover, after which it is the primary and
# flexpg_server.example its replica (a flexpg_virtual_endpoint whose reader is this replica is required).
# Set "AsyncReplica" again to swap back. "None" instead makes it an independent server for good.
resource "flexpg_read_replica" "dr" {
  name             = "example-pg-dr"
  source_server_id = flexpg_server.example.id
  location         = "northeurope"
  replication_role = "AsyncReplica"
  promote_option   = "planned"
}

output "reporting" {
  value = "host=${flexpg_read_replica.reporting.host} port=${flexpg_read_replica.reporting.port} (${flexpg_read_replica.reporting.replication_state})"
}
