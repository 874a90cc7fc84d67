# A server is imported by its ID, /flexibleServers/<name>.
terraform import flexpg_server.example /flexibleServers/example-pg
