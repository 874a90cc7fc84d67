# A virtual network is imported by its ID, /virtualNetworks/<name>.
terraform import flexpg_virtual_network.example /virtualNetworks/example-vnet
