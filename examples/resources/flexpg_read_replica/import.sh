# A read replica is imported by its ID, /flexibleServers/<name>, like any server. A server that is not a
# replica is refused: import it as a flexpg_server.
terraform import flexpg_read_replica.reporting /flexibleServers/example-pg-reporting
