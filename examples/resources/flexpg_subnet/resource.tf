resource "flexpg_virtual_network" "example" {
  name          = "example-vnet"
  location      = "westeurope"
  address_space = ["10.20.0.0/16"]
}

# A subnet delegated to flexible servers holds private-access servers, and nothing else.
resource "flexpg_subnet" "postgres" {
  name               = "postgres"
  virtual_network_id = flexpg_virtual_network.example.id
  address_prefix     = "10.20.1.0/24"
  delegation         = "Microsoft.DBforPostgreSQL/flexibleServers"
}

# A subnet for clients (for example `terraform-provider-flexpg cloud run --subnet ...`).
resource "flexpg_subnet" "apps" {
  name               = "apps"
  virtual_network_id = flexpg_virtual_network.example.id
  address_prefix     = "10.20.2.0/24"
}
