resource "flexpg_database" "app" {
  name      = "app"
  server_id = flexpg_server.example.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}
