resource "flexpg_virtual_network" "example" {
  name          = "example-vnet"
  location      = "westeurope"
  address_space = ["10.20.0.0/16"]
}
