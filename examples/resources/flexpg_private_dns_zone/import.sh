# A private DNS zone is imported by its ID, /privateDnsZones/<name>.
terraform import flexpg_private_dns_zone.example /privateDnsZones/example.postgres.flexpg.internal
