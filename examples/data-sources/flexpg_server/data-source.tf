data "flexpg_server" "example" {
  name = "example-pg"
}

output "endpoint" {
  value = "${data.flexpg_server.example.host}:${data.flexpg_server.example.port}"
}
