data "flexpg_ca_certificate" "cloud" {}

# Clients verify server certificates against the cloud CA.
resource "local_file" "root_cert" {
  filename = "${path.module}/flexpg-ca.pem"
  content  = data.flexpg_ca_certificate.cloud.certificate_pem
}

# The certificate names the server's FQDN, which resolves inside the cloud; from this
# machine, connect to the host endpoint (hostaddr) and verify against the FQDN (host).
output "psql" {
  value = join(" ", [
    "psql 'host=${flexpg_server.example.fqdn}",
    "hostaddr=${flexpg_server.example.host}",
    "port=${flexpg_server.example.port}",
    "sslmode=verify-full sslrootcert=${local_file.root_cert.filename}",
    "user=pgadmin dbname=postgres'",
  ])
}
