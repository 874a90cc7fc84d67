resource "flexpg_firewall_rule" "office" {
  name             = "office"
  server_id        = flexpg_server.example.id
  start_ip_address = "203.0.113.0"
  end_ip_address   = "203.0.113.255"
}

# Connections from this machine (Terraform, psql, tests) come from 127.0.0.1.
resource "flexpg_firewall_rule" "local" {
  name             = "local"
  server_id        = flexpg_server.example.id
  start_ip_address = "127.0.0.1"
  end_ip_address   = "127.0.0.1"
}
