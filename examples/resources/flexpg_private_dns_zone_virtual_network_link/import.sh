# A link is imported by its ID, /privateDnsZones/<zone>/virtualNetworkLinks/<name>.
terraform import flexpg_private_dns_zone_virtual_network_link.example /privateDnsZones/example.postgres.flexpg.internal/virtualNetworkLinks/example-vnet-link
