resource "flexpg_virtual_network" "example" {
  name          = "example-vnet"
  location      = "westeurope"
  address_space = ["10.20.0.0/16"]
}

resource "flexpg_private_dns_zone" "example" {
  name = "example.postgres.flexpg.internal"
}

# Clients in the linked network resolve the names of the servers registered in the zone.
resource "flexpg_private_dns_zone_virtual_network_link" "example" {
  name                = "example-vnet-link"
  private_dns_zone_id = flexpg_private_dns_zone.example.id
  virtual_network_id  = flexpg_virtual_network.example.id
}
