variable "admin_password" {
  type      = string
  sensitive = true
}

resource "flexpg_server" "example" {
  name                   = "example-pg"
  location               = "westeurope"
  version                = "17"
  sku_name               = "GP_Standard_D2s_v3"
  storage_mb             = 65536
  auto_grow_enabled      = true
  administrator_login    = "pgadmin"
  administrator_password = var.admin_password
  backup_retention_days  = 14

  maintenance_window {
    day_of_week  = 0
    start_hour   = 3
    start_minute = 0
  }

  tags = {
    environment = "dev"
  }
}

# With Terraform 1.11 or later the password can stay out of state entirely:
# bump administrator_password_wo_version to send a new one.
resource "flexpg_server" "write_only" {
  name                              = "example-pg-wo"
  location                          = "westeurope"
  sku_name                          = "B_Standard_B1ms"
  administrator_login               = "pgadmin"
  administrator_password_wo         = var.admin_password
  administrator_password_wo_version = 1
}

output "connection" {
  value = "host=${flexpg_server.example.host} port=${flexpg_server.example.port} user=pgadmin dbname=postgres sslmode=require"
}
