# Names that stay the same across promotions: the writer always reaches the primary, the reader the server
# replica_server_id names (here the geo-replica, which a promotion to primary server requires).
resource "flexpg_virtual_endpoint" "app" {
  name              = "example-pg-app"
  source_server_id  = flexpg_server.example.id
  replica_server_id = flexpg_read_replica.dr.id
}

output "writer" {
  value = "${flexpg_virtual_endpoint.app.writer_fqdn} on ${flexpg_virtual_endpoint.app.writer_host}:${flexpg_virtual_endpoint.app.writer_port}"
}

output "reader" {
  value = "${flexpg_virtual_endpoint.app.reader_fqdn} on ${flexpg_virtual_endpoint.app.reader_host}:${flexpg_virtual_endpoint.app.reader_port}"
}
