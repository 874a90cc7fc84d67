# A parameter is imported by its ID, /flexibleServers/<server>/configurations/<name>.
terraform import flexpg_server_configuration.max_connections /flexibleServers/example-pg/configurations/max_connections
