data "flexpg_server" "example" {
  name = "example-pg"
}

output "endpoint" {
  value = "${data.flexpg_server.example.host}:${data.flexpg_server.example.port}"
}

# Replication metrics, read from PostgreSQL each time the data source is read: on a primary the lag in bytes
# of its most lagging replica, on a replica the seconds since the last transaction it replayed.
data "flexpg_server" "reporting" {
  name = "example-pg-reporting"
}

output "replication" {
  value = {
    primary_lag_bytes   = data.flexpg_server.example.max_physical_replication_lag_bytes
    replica_lag_seconds = data.flexpg_server.reporting.read_replica_lag_seconds
    replica_state       = data.flexpg_server.reporting.replication_state
  }
}
