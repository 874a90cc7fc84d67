# A zone a server uses must end in .postgres.flexpg.internal (and must not be the server's own FQDN).
resource "flexpg_private_dns_zone" "example" {
  name = "example.postgres.flexpg.internal"
}
