# A dynamic parameter applies without a restart.
resource "flexpg_server_configuration" "log_min_duration" {
  name      = "log_min_duration_statement"
  server_id = flexpg_server.example.id
  value     = "500"
}

# A static parameter restarts the server when it changes.
resource "flexpg_server_configuration" "max_connections" {
  name      = "max_connections"
  server_id = flexpg_server.example.id
  value     = "200"
}
