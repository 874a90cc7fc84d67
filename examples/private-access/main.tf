# Private access: a flexible server inside a virtual network, with no public endpoint. It is reached only from
# its virtual network (and from networks linked to its private DNS zone), by its FQDN. See README.md.
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

resource "flexpg_virtual_network" "main" {
  name          = "private-access"
  location      = "westeurope"
  address_space = ["10.20.0.0/16"]
}

# The servers' subnet: delegated to flexible servers, it holds nothing else.
resource "flexpg_subnet" "postgres" {
  name               = "postgres"
  virtual_network_id = flexpg_virtual_network.main.id
  address_prefix     = "10.20.1.0/24"
  delegation         = "Microsoft.DBforPostgreSQL/flexibleServers"
}

# A subnet for clients of the same network (applications, `terraform-provider-flexpg cloud run`).
resource "flexpg_subnet" "apps" {
  name               = "apps"
  virtual_network_id = flexpg_virtual_network.main.id
  address_prefix     = "10.20.2.0/24"
}

# A zone used by a server must end in .postgres.flexpg.internal and must not be the server's own FQDN.
resource "flexpg_private_dns_zone" "corp" {
  name = "corp.postgres.flexpg.internal"
}

resource "flexpg_private_dns_zone_virtual_network_link" "main" {
  name                = "private-access"
  private_dns_zone_id = flexpg_private_dns_zone.corp.id
  virtual_network_id  = flexpg_virtual_network.main.id
}

resource "flexpg_server" "private" {
  name                          = "private-pg"
  location                      = flexpg_virtual_network.main.location
  version                       = "17"
  sku_name                      = "B_Standard_B1ms"
  administrator_login           = "pgadmin"
  administrator_password        = var.admin_password
  delegated_subnet_id           = flexpg_subnet.postgres.id
  private_dns_zone_id           = flexpg_private_dns_zone.corp.id
  public_network_access_enabled = false

  # The zone is linked to the network before the server registers its record in it.
  depends_on = [flexpg_private_dns_zone_virtual_network_link.main]
}

output "server_fqdn" {
  value = flexpg_server.private.fqdn
}

output "client_subnet_id" {
  value = flexpg_subnet.apps.id
}

# Run psql inside the network (the password is read from PGPASSWORD in your shell).
output "psql_command" {
  value = "terraform-provider-flexpg cloud run --subnet ${flexpg_subnet.apps.id} -e PGPASSWORD=\"$PGPASSWORD\" -- psql \"host=${flexpg_server.private.fqdn} user=${flexpg_server.private.administrator_login} dbname=postgres sslmode=verify-full\""
}
