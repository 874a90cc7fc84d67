# Quickstart: a public-access flexible server on the local flexpg cloud, reachable from this machine only,
# with one database. `make demo` applies it and connects with psql (TLS, verify-full).
terraform {
  required_version = ">= 1.11"
  required_providers {
    flexpg = {
      source = "flexpg/flexpg"
    }
  }
}

# No endpoint: the provider uses the local cloud and starts it if it is not running.
provider "flexpg" {}

variable "admin_password" {
  type      = string
  sensitive = true
}

resource "flexpg_server" "demo" {
  name                   = "quickstart"
  location               = "westeurope"
  version                = "17"
  sku_name               = "B_Standard_B1ms"
  storage_mb             = 32768
  administrator_login    = "pgadmin"
  administrator_password = var.admin_password

  tags = {
    purpose = "quickstart"
  }
}

# No firewall rule means no access: allow this machine's loopback address.
resource "flexpg_firewall_rule" "this_machine" {
  name             = "this-machine"
  server_id        = flexpg_server.demo.id
  start_ip_address = "127.0.0.1"
  end_ip_address   = "127.0.0.1"
}

resource "flexpg_database" "app" {
  server_id = flexpg_server.demo.id
  name      = "app"
}

data "flexpg_ca_certificate" "cloud" {}

output "ca_certificate_pem" {
  value = data.flexpg_ca_certificate.cloud.certificate_pem
}

# host is the server's FQDN (checked against its certificate); hostaddr/port are its endpoint on this machine.
output "psql_conninfo" {
  value = "host=${flexpg_server.demo.fqdn} hostaddr=${flexpg_server.demo.host} port=${flexpg_server.demo.port} dbname=${flexpg_database.app.name} user=${flexpg_server.demo.administrator_login} sslmode=verify-full"
}
