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
  # Also keep the backups in the region's pair (northeurope), for a geo-restore.
  geo_redundant_backup_enabled = true

  maintenance_window {
    day_of_week  = 0
    start_hour   = 3
    start_minute = 0
  }

  tags = {
    environment = "dev"
  }
}

# High availability: a synchronous standby in another zone, which the cloud fails over to when the primary
# dies. After such a failover the primary is in zone 2 and the standby in zone 1; without the lifecycle block
# the next plan is an in-place update swapping them back (applying it fails back with a planned failover).
# Writing that swap yourself (zone = "2", standby_availability_zone = "1") is a planned failover.
resource "flexpg_server" "ha" {
  name                   = "example-pg-ha"
  location               = "westeurope"
  zone                   = "1"
  sku_name               = "GP_Standard_D2s_v3"
  administrator_login    = "pgadmin"
  administrator_password = var.admin_password

  high_availability {
    mode                      = "ZoneRedundant"
    standby_availability_zone = "2"
  }

  # Keep the primary wherever a failover put it: the plan after a failover is empty.
  lifecycle {
    ignore_changes = [zone, high_availability[0].standby_availability_zone]
  }
}

output "ha" {
  value = "${flexpg_server.ha.ha_state}: primary in zone ${flexpg_server.ha.zone}, standby in zone ${flexpg_server.ha.standby_zone}"
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

# Point-in-time restore: a new, standalone server holding example-pg's data as it was at the given time (on
# the cloud's clock, from the source's earliest_restore_time to now; see data.flexpg_server_backups). It
# takes the SKU, storage, version and admin login from its source, and the admin password is the one in the
# restored data. Add a high_availability block in a later apply.
resource "flexpg_server" "restored" {
  name                              = "example-pg-restored"
  location                          = "westeurope"
  create_mode                       = "PointInTimeRestore"
  source_server_id                  = flexpg_server.example.id
  point_in_time_restore_time_in_utc = "2026-12-01T10:00:00Z"
}

# Geo-restore: the same from the copy of the backups in the source region's pair, so into that region. The
# copy lags behind by up to ten minutes of the cloud's clock.
resource "flexpg_server" "geo_restored" {
  name                              = "example-pg-geo"
  location                          = "northeurope"
  create_mode                       = "GeoRestore"
  source_server_id                  = flexpg_server.example.id
  point_in_time_restore_time_in_utc = "2026-12-01T10:00:00Z"
}

output "connection" {
  value = "host=${flexpg_server.example.host} port=${flexpg_server.example.port} user=pgadmin dbname=postgres sslmode=require"
}
