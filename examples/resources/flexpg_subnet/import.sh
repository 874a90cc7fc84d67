# A subnet is imported by its ID, /virtualNetworks/<vnet>/subnets/<name>.
terraform import flexpg_subnet.postgres /virtualNetworks/example-vnet/subnets/postgres
