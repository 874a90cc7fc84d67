# A database is imported by its ID, /flexibleServers/<server>/databases/<name>.
terraform import flexpg_database.app /flexibleServers/example-pg/databases/app
